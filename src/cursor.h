/*
 * cursor.h: a bounded reader over captured bytes.
 *
 * Every read checks the remaining length first; a read that does not fit
 * returns false and leaves the cursor where it was, so a caller can report
 * how far it got.  Multi-byte reads are network byte order.  Nothing here
 * casts raw bytes to a header struct.
 */
#ifndef TFE_CURSOR_H
#define TFE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tfe_cursor {
	const uint8_t *p;   /* next byte to read */
	size_t left;        /* bytes left in the capture from p */
};

static inline void
tfe_cursor_init(struct tfe_cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->left = len;
}

static inline bool
tfe_cursor_skip(struct tfe_cursor *c, size_t n)
{
	if (c->left < n)
		return false;
	c->p += n;
	c->left -= n;
	return true;
}

static inline bool
tfe_cursor_u8(struct tfe_cursor *c, uint8_t *v)
{
	if (c->left < 1)
		return false;
	*v = c->p[0];
	c->p++;
	c->left--;
	return true;
}

static inline bool
tfe_cursor_be16(struct tfe_cursor *c, uint16_t *v)
{
	if (c->left < 2)
		return false;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	c->left -= 2;
	return true;
}

static inline bool
tfe_cursor_le16(struct tfe_cursor *c, uint16_t *v)
{
	if (c->left < 2)
		return false;
	*v = (uint16_t)((c->p[1] << 8) | c->p[0]);
	c->p += 2;
	c->left -= 2;
	return true;
}

static inline bool
tfe_cursor_be32(struct tfe_cursor *c, uint32_t *v)
{
	if (c->left < 4)
		return false;
	*v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	     ((uint32_t)c->p[2] << 8) | (uint32_t)c->p[3];
	c->p += 4;
	c->left -= 4;
	return true;
}

/* Big-endian loads from bytes the caller has checked are there. */
static inline uint16_t
tfe_load_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
tfe_load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline uint32_t
tfe_load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Copies n bytes out; false (and nothing copied) when fewer are left. */
static inline bool
tfe_cursor_copy(struct tfe_cursor *c, void *dst, size_t n)
{
	if (c->left < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

/* A sub-cursor over the next n bytes (clamped to what is left). */
static inline struct tfe_cursor
tfe_cursor_sub(const struct tfe_cursor *c, size_t n)
{
	struct tfe_cursor s = { c->p, n < c->left ? n : c->left };
	return s;
}

#endif /* TFE_CURSOR_H */
