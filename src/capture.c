/*
 * capture.c: reading pcap and pcapng files, or a live interface, with
 * libpcap.
 *
 * Files are opened asking libpcap for nanosecond timestamps, so µs and ns
 * captures share one clock; whether to print nanoseconds is decided from
 * the file's own magic number, which we peek at before libpcap reads it.
 * Standard input cannot be rewound, so its first four bytes are read here
 * and handed back to libpcap through a small fopencookie(3) stream.
 *
 * A file is read through a stdio buffer larger than the default (which is
 * st_blksize, 4 KiB here): libpcap reads each record with two small
 * fread() calls, and with 4 KiB a 600 MB capture costs 150 000 read(2)
 * calls.  A 256 KiB buffer makes the bare read loop about a quarter faster
 * (bench/limit -b).  Mapping the file instead (glibc's fopen "rbm") is
 * faster still by about a tenth, but every page read stays mapped and
 * counts in the process's resident size until the end: 600 MB of page
 * cache charged to a program whose own memory is 40 MB.
 *
 * A live interface is one more source: opened in immediate mode and
 * non-blocking, filtered in the kernel, with microsecond timestamps (as
 * tcpdump prints them) so that what it saves with -w reads back the same.
 * Nothing here waits for packets or looks at the clock: live.c polls the
 * descriptor.  Nothing here changes privileges either.
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
	char *iobuf;             /* the stream's buffer, freed after pcap_close */
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
	bool live;
	pcap_dumper_t *dumper;   /* -w, live only */
	int snaplen;
	char *warning;           /* what pcap_activate() warned about */
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

/* Read buffers of all the files together stay under this: every file is
 * opened (and its buffer filled) before the first is read.  A share under
 * TFE_READ_BUF_MIN keeps stdio's own buffer. */
#define TFE_READ_BUF_MAX (256 * 1024)
#define TFE_READ_BUF_TOTAL (4 * 1024 * 1024)
#define TFE_READ_BUF_MIN (16 * 1024)

static FILE *
open_stream(const char *path, size_t bufsize, char **iobuf, bool *nanos,
            GError **err)
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
	/* Before any read, as setvbuf(3) requires. */
	if (bufsize >= TFE_READ_BUF_MIN) {
		*iobuf = g_malloc(bufsize);
		setvbuf(fp, *iobuf, _IOFBF, bufsize);
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
open_source(struct source *s, const char *path, size_t bufsize,
            const char *filter, GError **err)
{
	FILE *fp = open_stream(path, bufsize, &s->iobuf, &s->nanos, err);

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
	size_t bufsize = n > 0 ? TFE_READ_BUF_TOTAL / n : 0;

	if (bufsize > TFE_READ_BUF_MAX)
		bufsize = TFE_READ_BUF_MAX;

	cap->src = g_new0(struct source, n);
	cap->n = n;
	for (guint i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0 && ++stdin_uses > 1) {
			g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
			            "standard input can be read only once");
			tfe_capture_close(cap);
			return NULL;
		}
		if (!open_source(&cap->src[i], paths[i], bufsize, filter, err)) {
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
			if (cap->dumper != NULL)
				pcap_dump((u_char *)cap->dumper, h, data);
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
			/* tv_usec holds ns for files: we asked for them */
			p->ts = (int64_t)h->ts.tv_sec * 1000000000 +
			        (int64_t)h->ts.tv_usec * (cap->live ? 1000 : 1);
			p->caplen = h->caplen;
			p->len = h->len;
			p->data = data;
			p->linktype = pcap_datalink(s->pcap);
			return TFE_CAPTURE_PACKET;
		}
		if (rc == 0 && cap->live)
			return TFE_CAPTURE_AGAIN;
		if (rc == PCAP_ERROR_BREAK) {
			cap->cur++;
			continue;
		}
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: %s", s->name,
		            pcap_geterr(s->pcap));
		return TFE_CAPTURE_ERROR;
	}
	return TFE_CAPTURE_END;
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
	if (cap->dumper != NULL)
		pcap_dump_close(cap->dumper);
	g_free(cap->warning);
	for (guint i = 0; i < cap->n; i++) {
		if (cap->src[i].filtered)
			pcap_freecode(&cap->src[i].prog);
		if (cap->src[i].pcap)
			pcap_close(cap->src[i].pcap);
		g_free(cap->src[i].iobuf);
		g_free(cap->src[i].name);
	}
	g_free(cap->src);
	g_free(cap);
}

/* Why pcap_activate() failed, in words that say what to do.  libpcap's
 * own text follows, as it names the system call that failed. */
static void
activate_error(const char *iface, pcap_t *pcap, int rc, GError **err)
{
	const char *why = pcap_geterr(pcap);

	if (why == NULL || *why == '\0')
		why = pcap_statustostr(rc);
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: no such interface (-D lists them): %s", iface,
		            why);
		break;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: no permission to capture (%s): run it as root, "
		            "or give the program the CAP_NET_RAW capability "
		            "with setcap (see README, Live capture)",
		            iface, why);
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: the interface is not up: %s", iface, why);
		break;
	default:
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: cannot capture: %s", iface, why);
		break;
	}
}

static bool
set_live_filter(pcap_t *pcap, const char *iface, const char *filter,
                GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
	struct bpf_program prog;

	/* The netmask only matters to "ip broadcast"; an interface without
	 * an IPv4 address has none, as in tcpdump. */
	if (pcap_lookupnet(iface, &net, &mask, ebuf) != 0)
		mask = PCAP_NETMASK_UNKNOWN;
	if (pcap_compile(pcap, &prog, filter, 1, mask) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
		            "bad filter expression: %s", pcap_geterr(pcap));
		return false;
	}
	if (pcap_setfilter(pcap, &prog) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: cannot set the filter: %s", iface,
		            pcap_geterr(pcap));
		pcap_freecode(&prog);
		return false;
	}
	pcap_freecode(&prog);
	return true;
}

struct tfe_capture *
tfe_capture_open_live(const char *iface, int snaplen, const char *filter,
                      const char *save_path, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct tfe_capture *cap = g_new0(struct tfe_capture, 1);
	struct source *s;
	pcap_t *pcap;
	int rc, dlt;

	cap->src = g_new0(struct source, 1);
	cap->n = 1;
	cap->live = true;
	cap->snaplen = snaplen;
	s = &cap->src[0];
	s->name = g_strdup(iface);
	pcap = pcap_create(iface, ebuf);
	if (pcap == NULL) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: cannot capture: %s",
		            iface, ebuf);
		tfe_capture_close(cap);
		return NULL;
	}
	s->pcap = pcap;
	/* Without immediate mode the kernel holds packets until a buffer
	 * block fills or times out, and a short capture stopped by a signal
	 * loses what is still there. */
	if (pcap_set_snaplen(pcap, snaplen) != 0 ||
	    pcap_set_promisc(pcap, 1) != 0 ||
	    pcap_set_immediate_mode(pcap, 1) != 0 ||
	    pcap_set_timeout(pcap, 100) != 0 ||
	    pcap_set_tstamp_precision(pcap, PCAP_TSTAMP_PRECISION_MICRO) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "%s: cannot set the capture up: %s", iface,
		            pcap_geterr(pcap));
		tfe_capture_close(cap);
		return NULL;
	}
	rc = pcap_activate(pcap);
	if (rc < 0) {
		activate_error(iface, pcap, rc, err);
		tfe_capture_close(cap);
		return NULL;
	}
	if (rc > 0) {
		const char *why = pcap_geterr(pcap);
		cap->warning = g_strdup(why && *why ? why : pcap_statustostr(rc));
	}
	dlt = pcap_datalink(pcap);
	if (!tfe_decode_linktype_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: link type %d (%s) is not supported", iface, dlt,
		            name ? name : "unknown");
		tfe_capture_close(cap);
		return NULL;
	}
	if (filter != NULL && !set_live_filter(pcap, iface, filter, err)) {
		tfe_capture_close(cap);
		return NULL;
	}
	if (pcap_setnonblock(pcap, 1, ebuf) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "%s: cannot make the capture non-blocking: %s", iface,
		            ebuf);
		tfe_capture_close(cap);
		return NULL;
	}
	if (save_path != NULL) {
		cap->dumper = pcap_dump_open(pcap, save_path);
		if (cap->dumper == NULL) {
			g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s",
			            pcap_geterr(pcap));
			tfe_capture_close(cap);
			return NULL;
		}
	}
	return cap;
}

bool
tfe_capture_list_interfaces(FILE *out, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	int i = 0;

	if (pcap_findalldevs(&all, ebuf) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "cannot list the interfaces: %s", ebuf);
		return false;
	}
	for (pcap_if_t *d = all; d != NULL; d = d->next) {
		GString *flags = g_string_new(NULL);

		if (d->flags & PCAP_IF_UP)
			g_string_append(flags, ", Up");
		if (d->flags & PCAP_IF_RUNNING)
			g_string_append(flags, ", Running");
		if (d->flags & PCAP_IF_LOOPBACK)
			g_string_append(flags, ", Loopback");
		if (d->flags & PCAP_IF_WIRELESS)
			g_string_append(flags, ", Wireless");
		fprintf(out, "%d.%s", ++i, d->name);
		if (d->description != NULL)
			fprintf(out, " (%s)", d->description);
		if (flags->len > 0)
			fprintf(out, " [%s]", flags->str + 2);
		fputc('\n', out);
		g_string_free(flags, TRUE);
	}
	if (i == 0)
		fprintf(out, "no interface can be opened (run as root, or give "
		        "the program CAP_NET_RAW)\n");
	pcap_freealldevs(all);
	return true;
}

int
tfe_capture_fd(const struct tfe_capture *cap, int *timeout_ms)
{
	pcap_t *pcap = cap->src[0].pcap;
	const struct timeval *tv = pcap_get_required_select_timeout(pcap);

	*timeout_ms = -1;
	if (tv != NULL)
		*timeout_ms = (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000);
	return pcap_get_selectable_fd(pcap);
}

void
tfe_capture_flush(struct tfe_capture *cap)
{
	if (cap->dumper != NULL)
		pcap_dump_flush(cap->dumper);
}

bool
tfe_capture_stats(struct tfe_capture *cap, uint64_t *recv, uint64_t *drop,
                  uint64_t *ifdrop)
{
	struct pcap_stat ps;

	if (!cap->live || pcap_stats(cap->src[0].pcap, &ps) != 0)
		return false;
	*recv = ps.ps_recv;
	*drop = ps.ps_drop;
	*ifdrop = ps.ps_ifdrop;
	return true;
}

void
tfe_capture_describe(const struct tfe_capture *cap, GString *out)
{
	int dlt = pcap_datalink(cap->src[0].pcap);
	const char *name = pcap_datalink_val_to_name(dlt);
	const char *desc = pcap_datalink_val_to_description(dlt);

	g_string_append_printf(out, "listening on %s, link-type %s (%s), "
	                       "snapshot length %d bytes", cap->src[0].name,
	                       name ? name : "?", desc ? desc : "?",
	                       cap->snaplen);
	if (cap->warning != NULL)
		g_string_append_printf(out, " (warning: %s)", cap->warning);
}
