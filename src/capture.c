/*
 * capture.c: reading pcap and pcapng files with libpcap.
 *
 * Files are opened asking libpcap for nanosecond timestamps, so µs and ns
 * captures share one clock; whether to print nanoseconds is decided from
 * the file's own magic number, which we peek at before libpcap reads it.
 * Standard input cannot be rewound, so its first four bytes are read here
 * and handed back to libpcap through a small fopencookie(3) stream.
 */
#include "config.h"

#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"

G_DEFINE_QUARK(tfe-error-quark, tfe_error)

struct source {
	char *name;
	pcap_t *pcap;
	bool nanos;
	bool filtered;
	struct bpf_program prog; /* applied here, not by pcap_setfilter(), so
	                            that frames keep their numbers in the file
	                            as Wireshark and tcpdump -# count them */
};

struct tfe_capture {
	struct source *src;
	guint n, cur;
	bool nanos;
	uint64_t frames;
};

/* Replays a few peeked bytes, then reads the underlying stream. */
struct peek {
	FILE *under;
	unsigned char buf[4];
	size_t len, pos;
};

static ssize_t
peek_read(void *cookie, char *out, size_t size)
{
	struct peek *pk = cookie;
	size_t n = 0;

	while (n < size && pk->pos < pk->len)
		out[n++] = (char)pk->buf[pk->pos++];
	if (n < size)
		n += fread(out + n, 1, size - n, pk->under);
	if (n == 0 && ferror(pk->under))
		return -1;
	return (ssize_t)n;
}

static int
peek_close(void *cookie)
{
	g_free(cookie);
	return 0;
}

/* Microsecond and nanosecond pcap magics, both byte orders. */
static bool
magic_is_nanos(const unsigned char m[4])
{
	return (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
	       (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1);
}

static FILE *
open_stream(const char *path, bool *nanos, GError **err)
{
	unsigned char m[4] = { 0 };
	size_t got;

	if (strcmp(path, "-") == 0) {
		struct peek *pk = g_new0(struct peek, 1);
		cookie_io_functions_t io = { peek_read, NULL, NULL, peek_close };
		FILE *fp;

		pk->under = stdin;
		pk->len = fread(pk->buf, 1, sizeof pk->buf, stdin);
		*nanos = pk->len == 4 && magic_is_nanos(pk->buf);
		fp = fopencookie(pk, "r", io);
		if (fp == NULL) {
			g_free(pk);
			g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
			            "cannot read standard input: %s", g_strerror(errno));
		}
		return fp;
	}

	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: %s", path,
		            g_strerror(errno));
		return NULL;
	}
	got = fread(m, 1, sizeof m, fp);
	*nanos = got == 4 && magic_is_nanos(m);
	if (fseek(fp, 0, SEEK_SET) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: cannot rewind: %s",
		            path, g_strerror(errno));
		fclose(fp);
		return NULL;
	}
	return fp;
}

/* Hands `fp` (owned from here on) to libpcap as source `s`. */
static bool
open_source_fp(struct source *s, FILE *fp, const char *name,
               const char *filter, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int dlt;

	s->name = g_strdup(name);
	s->pcap = pcap_fopen_offline_with_tstamp_precision(
		fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (s->pcap == NULL) {
		fclose(fp);
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: %s", s->name,
		            ebuf[0] ? ebuf : "not a pcap or pcapng capture");
		return false;
	}
	dlt = pcap_datalink(s->pcap);
	if (!tfe_decode_linktype_supported(dlt)) {
		const char *dname = pcap_datalink_val_to_name(dlt);
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: link type %d (%s) is not supported", s->name, dlt,
		            dname ? dname : "unknown");
		return false;
	}
	if (filter != NULL) {
		if (pcap_compile(s->pcap, &s->prog, filter, 1,
		                 PCAP_NETMASK_UNKNOWN) != 0) {
			g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
			            "bad filter expression: %s", pcap_geterr(s->pcap));
			return false;
		}
		s->filtered = true;
	}
	return true;
}

static bool
open_source(struct source *s, const char *path, const char *filter,
            GError **err)
{
	FILE *fp = open_stream(path, &s->nanos, err);

	if (fp == NULL)
		return false;
	return open_source_fp(s, fp, strcmp(path, "-") == 0 ? "standard input"
	                                                     : path,
	                      filter, err);
}

struct tfe_capture *
tfe_capture_open_stream(FILE *fp, const char *name, const char *filter,
                        GError **err)
{
	struct tfe_capture *cap = g_new0(struct tfe_capture, 1);
	unsigned char m[4] = { 0 };
	size_t got = fread(m, 1, sizeof m, fp);

	cap->src = g_new0(struct source, 1);
	cap->n = 1;
	if (fseek(fp, 0, SEEK_SET) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: cannot rewind: %s",
		            name, g_strerror(errno));
		fclose(fp);
		tfe_capture_close(cap);
		return NULL;
	}
	cap->src[0].nanos = cap->nanos = got == 4 && magic_is_nanos(m);
	if (!open_source_fp(&cap->src[0], fp, name, filter, err)) {
		tfe_capture_close(cap);
		return NULL;
	}
	return cap;
}

struct tfe_capture *
tfe_capture_open_files(char **paths, guint n, const char *filter, GError **err)
{
	struct tfe_capture *cap = g_new0(struct tfe_capture, 1);
	guint stdin_uses = 0;

	cap->src = g_new0(struct source, n);
	cap->n = n;
	for (guint i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0 && ++stdin_uses > 1) {
			g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
			            "standard input can be read only once");
			tfe_capture_close(cap);
			return NULL;
		}
		if (!open_source(&cap->src[i], paths[i], filter, err)) {
			tfe_capture_close(cap);
			return NULL;
		}
		/* Several files print nanoseconds if any of them has them. */
		cap->nanos = cap->nanos || cap->src[i].nanos;
	}
	return cap;
}

int
tfe_capture_next(struct tfe_capture *cap, struct tfe_packet *p, GError **err)
{
	while (cap->cur < cap->n) {
		struct source *s = &cap->src[cap->cur];
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(s->pcap, &h, &data);

		if (rc == 1) {
			cap->frames++;
			if (s->filtered && !pcap_offline_filter(&s->prog, h, data))
				continue;
			/* pcapng timestamps are 64-bit counts in any unit: one
			 * past the analysis clock's range is damage, not a
			 * time to compute with (the timers add up to 2e18 ns
			 * to it). */
			if (h->ts.tv_sec > TFE_CAPTURE_MAX_SEC ||
			    h->ts.tv_sec < -TFE_CAPTURE_MAX_SEC) {
				g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
				            "%s: frame %" G_GUINT64_FORMAT ": timestamp "
				            "%" G_GINT64_FORMAT " s is out of range "
				            "(more than %" G_GINT64_FORMAT " s from 1970)",
				            s->name, cap->frames, (gint64)h->ts.tv_sec,
				            (gint64)TFE_CAPTURE_MAX_SEC);
				cap->frames--; /* not read: the damage is in it */
				return -1;
			}
			p->frame = cap->frames;
			p->ts = (int64_t)h->ts.tv_sec * 1000000000 +
			        (int64_t)h->ts.tv_usec; /* ns: we asked for them */
			p->caplen = h->caplen;
			p->len = h->len;
			p->data = data;
			p->linktype = pcap_datalink(s->pcap);
			return 1;
		}
		if (rc == PCAP_ERROR_BREAK) {
			cap->cur++;
			continue;
		}
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: %s", s->name,
		            pcap_geterr(s->pcap));
		return -1;
	}
	return 0;
}

uint64_t
tfe_capture_frames(const struct tfe_capture *cap)
{
	return cap->frames;
}

bool
tfe_capture_nanos(const struct tfe_capture *cap)
{
	return cap->nanos;
}

void
tfe_capture_close(struct tfe_capture *cap)
{
	if (cap == NULL)
		return;
	for (guint i = 0; i < cap->n; i++) {
		if (cap->src[i].filtered)
			pcap_freecode(&cap->src[i].prog);
		if (cap->src[i].pcap)
			pcap_close(cap->src[i].pcap);
		g_free(cap->src[i].name);
	}
	g_free(cap->src);
	g_free(cap);
}
