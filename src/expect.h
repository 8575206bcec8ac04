/*
 * expect.h: --expect FILE, a capture checked against a small file of
 * expectations (doc/tcpflow-explain.1, EXPECTATIONS): per connection,
 * found by its number or its 4-tuple, the close kind, both final states,
 * and verdict kinds that must or must not appear.  What each finished
 * connection showed is noted as it is judged; the file is checked once
 * all are in.
 */
#ifndef TFE_EXPECT_H
#define TFE_EXPECT_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "conn.h"

struct tfe_expect;

/* Reads and checks the file's syntax; NULL with *err (TFE_ERR_USAGE for
 * a mistake in it, with its line number; TFE_ERR_INPUT when it cannot be
 * read). */
struct tfe_expect *tfe_expect_load(const char *path, GError **err);

/* Notes what a finished connection showed (its verdicts worked out). */
void tfe_expect_note(struct tfe_expect *e, const struct tfe_conn *c);

/* Holds the expectations against the connections noted; writes a diff
 * of those not met to `out` ("-" what the file expects, "+" what the
 * capture shows) and returns how many were not met. */
unsigned tfe_expect_check(struct tfe_expect *e, FILE *out);

void tfe_expect_free(struct tfe_expect *e);

#endif /* TFE_EXPECT_H */
