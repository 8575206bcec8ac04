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
 * Records of a classic pcap file are read here, not by libpcap, when the
 * file can be: a seekable stream (a regular file, or the fmemopen(3)
 * stream of tfe_capture_open_stream()) with one of the four standard
 * magic numbers and a link type that libpcap hands over unchanged.
 * libpcap still opens the file and reads its 24-byte header, so every
 * header error is its own; then the records are read in large chunks
 * into a buffer of our own and parsed in place: tfe_capture_next() costs
 * about 95 instructions a record so, against about 500 through
 * pcap_next_ex() (two fread() calls through stdio, each a copy).  The parser does what libpcap
 * 1.10's pcap_next_packet() (sf-pcap.c) does, check by check and message
 * by message: see own_next().  A file read this way keeps stdio's small
 * default buffer, since its reads go straight into ours.
 *
 * Everything else (pcapng, the modified pcap formats, standard input,
 * pipes, the link types whose records libpcap rewrites, such as a
 * byte-swapped Linux cooked capture's SocketCAN headers) is read by pcap_next_ex() through a stdio buffer
 * larger than the default (which is st_blksize, 4 KiB here): libpcap
 * reads each record with two small fread() calls, and with 4 KiB a 600
 * MB capture costs 150 000 read(2) calls.  Mapping a file instead
 * (glibc's fopen "rbm") would charge every page read to the process's
 * resident size until the end.
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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef __linux__
#include <linux/if_packet.h>
#endif
#include <unistd.h>

#include "decode.h"

G_DEFINE_QUARK(tfe-error-quark, tfe_error)

/* How a file's version says caplen and len are stored in each record
 * (libpcap's lengths_swapped): 2.3 files were written both ways. */
enum lengths {
	LENGTHS_AS_IS,
	LENGTHS_SWAPPED,     /* before 2.3, and DG/UX's 543.0 */
	LENGTHS_MAYBE,       /* 2.3: swapped when caplen > len */
};

/* The record parser's state for one file (see own_next()). */
struct own {
	FILE *fp;                /* libpcap's stream, past the file header */
	uint8_t *buf;            /* allocated at the first read, freed at the
	                            end of the file */
	size_t size;             /* of buf */
	size_t pos, end;         /* unparsed bytes are buf[pos..end) */
	bool eof;                /* nothing more to read from fp */
	int read_errno;          /* fp's read error, 0 if none */
	bool swapped;            /* written in the other byte order */
	bool scale_up;           /* µs in the file: times 1000 */
	enum lengths lengths;
	uint32_t snapshot;       /* pcap_snapshot(): what libpcap keeps */
	char errbuf[PCAP_ERRBUF_SIZE];
};

struct source {
	char *name;
	pcap_t *pcap;
	char *iobuf;             /* the stream's buffer, freed after pcap_close */
	int linktype;            /* pcap_datalink() */
	bool decoded;            /* tfe_decode_linktype_supported() */
	uint64_t undecoded;      /* frames handed over when not decoded */
	bool nanos;
	bool own;                /* records read by own_next(), not libpcap */
	bool filtered;
	struct bpf_program prog; /* applied here, not by pcap_setfilter(), so
	                            that frames keep their numbers in the file
	                            as Wireshark and tcpdump -# count them */
	struct own rd;           /* when own */
};

struct tfe_capture {
	struct source *src;
	guint n, cur;
	bool nanos;
	uint64_t frames;
	bool live;
	pcap_dumper_t *dumper;   /* -w */
	pcap_t *dump_pcap;       /* -w with files: its header's source */
	bool dump_micro;         /* -w with files of microseconds */
	uint64_t vlan_rejected;  /* frames the filter turned away that carry
	                            an 802.1Q or 802.1ad tag */
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

/* Set by tests only (tfe_capture_libpcap_only()). */
static bool libpcap_only;

void
tfe_capture_libpcap_only(bool only)
{
	libpcap_only = only;
}

#define PCAP_FILE_HDR 24
#define PCAP_REC_HDR 16
#define PCAP_MAGIC_US UINT32_C(0xa1b2c3d4)
#define PCAP_MAGIC_NS UINT32_C(0xa1b23c4d)
/* The link types whose records libpcap rewrites (pcap_post_process())
 * when the file's byte order is not the host's: the pseudo-headers of
 * pflog (uid, pid, rule_uid, rule_pid), of Linux cooked captures
 * (SocketCAN headers), of Linux USB and of NFLOG (TLV lengths and
 * types) are put in host order. */
#define LINKTYPE_PFLOG_NUM 117
#define LINKTYPE_SLL_NUM 113
#define LINKTYPE_USB_LINUX_NUM 189
#define LINKTYPE_NFLOG_NUM 239
#define LINKTYPE_SLL2_NUM 276

static uint32_t
load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/*
 * Whether the records after this file header (`got` bytes of it read)
 * may be read by own_next(): a standard magic number (not Kuznetzov's,
 * whose record headers are longer), and a link type that the decoder
 * takes and libpcap does not change records of.  The link type is looked at again once libpcap
 * has opened the file (open_source_fp()).
 */
static bool
header_is_plain(const unsigned char *h, size_t got)
{
	uint32_t magic, lt;
	bool swapped;

	if (got < PCAP_FILE_HDR || libpcap_only)
		return false;
	magic = load32(h);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS)
		swapped = false;
	else if (GUINT32_SWAP_LE_BE(magic) == PCAP_MAGIC_US ||
	         GUINT32_SWAP_LE_BE(magic) == PCAP_MAGIC_NS)
		swapped = true;
	else
		return false;
	lt = load32(h + 20);
	if (swapped)
		lt = GUINT32_SWAP_LE_BE(lt);
	lt &= 0x03FFFFFF; /* the upper 6 bits are not the link type */
	/* Other link types may have a larger maximum record length in
	 * libpcap (D-Bus's is 128 MiB) or be rewritten (memory-mapped Linux
	 * USB); the decoder skips their frames, so libpcap reads them. */
	if (!tfe_decode_linktype_supported((int)lt))
		return false;
	return !(swapped && (lt == LINKTYPE_PFLOG_NUM || lt == LINKTYPE_SLL_NUM ||
	                     lt == LINKTYPE_USB_LINUX_NUM ||
	                     lt == LINKTYPE_NFLOG_NUM || lt == LINKTYPE_SLL2_NUM));
}

/* Read buffers of all the files together stay under this: every file is
 * opened (and its buffer filled) before the first is read.  A share under
 * TFE_READ_BUF_MIN keeps stdio's own buffer. */
#define TFE_READ_BUF_MAX (256 * 1024)
#define TFE_READ_BUF_TOTAL (4 * 1024 * 1024)
#define TFE_READ_BUF_MIN (16 * 1024)

static FILE *
open_stream(const char *path, size_t bufsize, char **iobuf, bool *nanos,
            bool *plain, GError **err)
{
	unsigned char h[PCAP_FILE_HDR] = { 0 };
	ssize_t got;

	*plain = false;
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
	/* The header is peeked at with pread(2), which leaves the stream
	 * untouched, so that its buffer can still be chosen; a pipe fails
	 * here and is read by libpcap. */
	got = pread(fileno(fp), h, sizeof h, 0);
	*plain = got > 0 && header_is_plain(h, (size_t)got);
	/* Before any read, as setvbuf(3) requires.  A file read by
	 * own_next() keeps stdio's default buffer: its reads go past it. */
	if (!*plain && bufsize >= TFE_READ_BUF_MIN) {
		*iobuf = g_malloc(bufsize);
		setvbuf(fp, *iobuf, _IOFBF, bufsize);
	}
	got = (ssize_t)fread(h, 1, 4, fp);
	*nanos = got == 4 && magic_is_nanos(h);
	if (fseek(fp, 0, SEEK_SET) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: cannot rewind: %s",
		            path, g_strerror(errno));
		fclose(fp);
		return NULL;
	}
	return fp;
}

/* Sets `s` up for own_next() after libpcap has read the file header. */
static void
own_setup(struct source *s)
{
	struct own *r = &s->rd;
	int major = pcap_major_version(s->pcap);
	int minor = pcap_minor_version(s->pcap);

	r->fp = pcap_file(s->pcap);
	/* libpcap read the header and nothing else; anything else is a
	 * stream we do not know how to follow. */
	if (r->fp == NULL || ftell(r->fp) != PCAP_FILE_HDR ||
	    pcap_snapshot(s->pcap) <= 0)
		return;
	r->swapped = pcap_is_swapped(s->pcap) == 1;
	/* Files are opened asking for ns (PCAP_TSTAMP_PRECISION_NANO). */
	r->scale_up = !s->nanos;
	r->snapshot = (uint32_t)pcap_snapshot(s->pcap);
	if ((major == 2 && minor < 3) || major == 543)
		r->lengths = LENGTHS_SWAPPED;
	else if (major == 2 && minor == 3)
		r->lengths = LENGTHS_MAYBE;
	else
		r->lengths = LENGTHS_AS_IS;
	s->own = true;
}

/* Hands `fp` (owned from here on) to libpcap as source `s`; `plain`
 * when header_is_plain() said its records may be read here. */
static bool
open_source_fp(struct source *s, FILE *fp, const char *name,
               const char *filter, bool plain, GError **err)
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
	/* A link type the decoder does not know is read all the same: its
	 * frames are counted as TFE_DR_LINKTYPE, and the summary names the
	 * type with their number (tfe_capture_undecoded()). */
	dlt = pcap_datalink(s->pcap);
	s->linktype = dlt;
	s->decoded = tfe_decode_linktype_supported(dlt);
	if (filter != NULL) {
		if (pcap_compile(s->pcap, &s->prog, filter, 1,
		                 PCAP_NETMASK_UNKNOWN) != 0) {
			g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
			            "bad filter expression: %s; the filter was "
			            "taken from the words '%s' (every word that is "
			            "not an option or an option's value)",
			            pcap_geterr(s->pcap), filter);
			return false;
		}
		s->filtered = true;
	}
	/* libpcap hands every record over unchanged but for the link
	 * types that header_is_plain() turned away. */
	if (plain)
		own_setup(s);
	return true;
}

static bool
open_source(struct source *s, const char *path, size_t bufsize,
            const char *filter, GError **err)
{
	bool plain;
	FILE *fp = open_stream(path, bufsize, &s->iobuf, &s->nanos, &plain,
	                       err);

	if (fp == NULL)
		return false;
	return open_source_fp(s, fp, strcmp(path, "-") == 0 ? "standard input"
	                                                     : path,
	                      filter, plain, err);
}

struct tfe_capture *
tfe_capture_open_stream(FILE *fp, const char *name, const char *filter,
                        GError **err)
{
	struct tfe_capture *cap = g_new0(struct tfe_capture, 1);
	unsigned char h[PCAP_FILE_HDR] = { 0 };
	size_t got = fread(h, 1, sizeof h, fp);

	cap->src = g_new0(struct source, 1);
	cap->n = 1;
	if (fseek(fp, 0, SEEK_SET) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: cannot rewind: %s",
		            name, g_strerror(errno));
		fclose(fp);
		tfe_capture_close(cap);
		return NULL;
	}
	cap->src[0].nanos = cap->nanos = got >= 4 && magic_is_nanos(h);
	if (!open_source_fp(&cap->src[0], fp, name, filter,
	                    header_is_plain(h, got), err)) {
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

/* Frees the parser's buffer: at the end of its file, one buffer at a
 * time is in use however many files are read. */
static void
own_release(struct own *r)
{
	g_free(r->buf);
	r->buf = NULL;
	r->size = r->pos = r->end = 0;
}

/* The largest record own_next() may need whole in its buffer: libpcap
 * takes no captured length above TFE_SNAPLEN_MAX (MAXIMUM_SNAPLEN, the
 * max_snaplen_for_dlt() of every link type read here). */
#define OWN_BUF_SIZE (256 * 1024)
#define OWN_BUF_MAX (PCAP_REC_HDR + TFE_SNAPLEN_MAX)

/*
 * Makes at least `need` bytes (at most OWN_BUF_MAX) unparsed in the
 * buffer if the file has them: what is left is moved to the start and
 * the rest filled from the stream.  Returns how many bytes are unparsed.
 */
static size_t
own_fill(struct own *r, size_t need)
{
	size_t avail = r->end - r->pos, want, got;

	if (r->eof)
		return avail;
	if (r->buf == NULL || need > r->size) {
		/* The first read, or one record longer than the buffer:
		 * the buffer grows once, to the most a record can take. */
		size_t size = need > OWN_BUF_SIZE ? OWN_BUF_MAX : OWN_BUF_SIZE;
		uint8_t *buf = g_malloc(size);

		if (avail > 0)
			memcpy(buf, r->buf + r->pos, avail);
		g_free(r->buf);
		r->buf = buf;
		r->size = size;
	} else if (r->pos > 0 && avail > 0) {
		memmove(r->buf, r->buf + r->pos, avail);
	}
	r->pos = 0;
	r->end = avail;
	/* Whole 4 KiB blocks when that is enough: glibc reads those
	 * straight into the buffer, and a tail through its own. */
	want = r->size - avail;
	if (want > 4096 && avail + (want & ~(size_t)4095) >= need)
		want &= ~(size_t)4095;
	got = fread(r->buf + avail, 1, want, r->fp);
	r->end += got;
	if (got < want) {
		r->eof = true;
		if (ferror(r->fp))
			r->read_errno = errno != 0 ? errno : EIO;
	}
	return r->end;
}

/* An error: the message in r->errbuf; the file reads as ended after it.
 * A short read (`short_read`) that a read error cut is that error, as in
 * libpcap. */
static int
own_fail(struct own *r, bool short_read, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

static int
own_fail(struct own *r, bool short_read, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (short_read && r->read_errno != 0)
		snprintf(r->errbuf, sizeof r->errbuf,
		         "error reading dump file: %s", g_strerror(r->read_errno));
	else
		vsnprintf(r->errbuf, sizeof r->errbuf, fmt, ap);
	va_end(ap);
	r->pos = r->end;
	r->eof = true;
	return PCAP_ERROR;
}

/*
 * The next record of a file read here, as libpcap 1.10's
 * pcap_next_packet() (sf-pcap.c) returns it to pcap_next_ex(), with the
 * same return values: 1 with *h and *data, PCAP_ERROR_BREAK at a clean
 * end of file, PCAP_ERROR with libpcap's message in r->errbuf.  In its
 * order:
 *  - fewer than 16 bytes left for the record header: the end of the file
 *    if none, else "truncated dump file; tried to read 16 header bytes,
 *    only got N";
 *  - the four fields in the file's byte order; the seconds and the
 *    fraction as signed 32-bit numbers (struct pcap_timeval) in the
 *    host's order, unsigned ones in the other (SWAPLONG()), the fraction
 *    times 1000 for a µs file (we ask for ns);
 *  - caplen and len exchanged in files before 2.3, and in 2.3 ones when
 *    caplen > len;
 *  - caplen above TFE_SNAPLEN_MAX: "invalid packet capture length N,
 *    bigger than snaplen of S" when above the file's snapshot length
 *    too, else "... bigger than maximum of 262144";
 *  - caplen above the snapshot length S (the file's, as libpcap adjusted
 *    it: pcap_snapshot()): the record's bytes are read, S of them kept,
 *    and caplen becomes S; fewer than S there: "truncated dump file;
 *    tried to read S captured bytes, only got N", fewer than caplen:
 *    the same with caplen and every byte there;
 *  - else fewer than caplen bytes: "truncated dump file; tried to read
 *    CAPLEN captured bytes, only got N".
 * A read error ends the file as libpcap does, with "error reading dump
 * file: " and the system's text.  *data stays valid until the next call.
 */
static int
own_next(struct own *r, struct pcap_pkthdr *h, const u_char **data)
{
	size_t avail = r->end - r->pos;
	const uint8_t *rec;
	uint32_t caplen, len, keep;
	int64_t sec, frac;

	if (G_UNLIKELY(avail < PCAP_REC_HDR)) {
		avail = own_fill(r, PCAP_REC_HDR);
		if (avail < PCAP_REC_HDR) {
			if (avail == 0 && r->read_errno == 0)
				return PCAP_ERROR_BREAK;
			return own_fail(r, true, "truncated dump file; tried to read "
			                "%zu header bytes, only got %zu",
			                (size_t)PCAP_REC_HDR, avail);
		}
	}
	rec = r->buf + r->pos;
	caplen = load32(rec + 8);
	len = load32(rec + 12);
	if (G_LIKELY(!r->swapped)) {
		sec = (int32_t)load32(rec);
		frac = (int32_t)load32(rec + 4);
	} else {
		/* libpcap's SWAPLONG() yields an unsigned number */
		sec = GUINT32_SWAP_LE_BE(load32(rec));
		frac = GUINT32_SWAP_LE_BE(load32(rec + 4));
		caplen = GUINT32_SWAP_LE_BE(caplen);
		len = GUINT32_SWAP_LE_BE(len);
	}
	h->ts.tv_sec = sec;
	h->ts.tv_usec = r->scale_up ? (suseconds_t)frac * 1000 : frac;
	if (G_UNLIKELY(r->lengths != LENGTHS_AS_IS) &&
	    (r->lengths == LENGTHS_SWAPPED || caplen > len)) {
		uint32_t t = caplen;
		caplen = len;
		len = t;
	}
	if (G_UNLIKELY(caplen > TFE_SNAPLEN_MAX)) {
		if (caplen > r->snapshot)
			return own_fail(r, false, "invalid packet capture length %u, "
			                "bigger than snaplen of %d", caplen,
			                (int)r->snapshot);
		return own_fail(r, false, "invalid packet capture length %u, bigger "
		                "than maximum of %u", caplen,
		                (unsigned)TFE_SNAPLEN_MAX);
	}
	keep = caplen <= r->snapshot ? caplen : r->snapshot;
	if (G_UNLIKELY(avail < PCAP_REC_HDR + (size_t)caplen)) {
		avail = own_fill(r, PCAP_REC_HDR + (size_t)caplen);
		if (avail < PCAP_REC_HDR + (size_t)caplen) {
			size_t got = avail - PCAP_REC_HDR;

			if (keep < caplen && got < keep)
				return own_fail(r, true, "truncated dump file; tried to "
				                "read %u captured bytes, only got "
				                "%zu", keep, got);
			return own_fail(r, true, "truncated dump file; tried to read "
			                "%u captured bytes, only got %zu", caplen,
			                got);
		}
		rec = r->buf + r->pos;
	}
	r->pos += PCAP_REC_HDR + (size_t)caplen;
	h->caplen = keep;
	h->len = len;
	*data = rec + PCAP_REC_HDR;
	return 1;
}

/* The Ethernet type of a VLAN tag: 802.1Q, 802.1ad, and the 0x9100
 * that older QinQ switches use. */
static bool
is_vlan_tpid(uint8_t hi, uint8_t lo)
{
	unsigned t = (unsigned)hi << 8 | lo;

	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

uint64_t
tfe_capture_vlan_rejected(const struct tfe_capture *cap)
{
	return cap->vlan_rejected;
}

bool
tfe_capture_save(struct tfe_capture *cap, const char *path, GError **err)
{
	struct stat w;
	bool exists = stat(path, &w) == 0;

	if (cap->n == 0 || cap->live || cap->dumper != NULL) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "tfe_capture_save: not a capture of files");
		return false;
	}
	for (guint i = 0; i < cap->n; i++) {
		struct stat r;

		if (exists && strcmp(cap->src[i].name, "standard input") != 0 &&
		    stat(cap->src[i].name, &r) == 0 && r.st_dev == w.st_dev &&
		    r.st_ino == w.st_ino) {
			g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
			            "-w %s: it is also read with -r; write to "
			            "another file", path);
			return false;
		}
		if (cap->src[i].linktype != cap->src[0].linktype) {
			g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
			            "-w %s: %s has link type %s and %s has %s: "
			            "one pcap file holds one link type",
			            path, cap->src[0].name,
			            tfe_capture_linktype_name(cap->src[0].linktype),
			            cap->src[i].name,
			            tfe_capture_linktype_name(cap->src[i].linktype));
			return false;
		}
	}
	/* the first file's link type and snapshot length; microseconds
	 * unless a file has nanoseconds, so that a copy reads back with the
	 * digits it had */
	int snaplen = 0;
	for (guint i = 0; i < cap->n; i++)
		if (pcap_snapshot(cap->src[i].pcap) > snaplen)
			snaplen = pcap_snapshot(cap->src[i].pcap);
	cap->dump_pcap = pcap_open_dead_with_tstamp_precision(
		cap->src[0].linktype, snaplen,
		cap->nanos ? PCAP_TSTAMP_PRECISION_NANO :
		             PCAP_TSTAMP_PRECISION_MICRO);
	if (cap->dump_pcap == NULL) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "-w %s: pcap_open_dead failed", path);
		return false;
	}
	cap->dump_micro = !cap->nanos;
	cap->dumper = pcap_dump_open(cap->dump_pcap, path);
	if (cap->dumper == NULL) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "-w %s: %s", path,
		            pcap_geterr(cap->dump_pcap));
		return false;
	}
	return true;
}

int
tfe_capture_next(struct tfe_capture *cap, struct tfe_packet *p, GError **err)
{
	while (cap->cur < cap->n) {
		struct source *s = &cap->src[cap->cur];
		struct pcap_pkthdr own_h, *h = &own_h;
		const u_char *data;
		int rc;

		if (s->own)
			rc = own_next(&s->rd, h, &data);
		else
			rc = pcap_next_ex(s->pcap, &h, &data);
		if (rc == 1) {
			cap->frames++;
			if (s->filtered && !pcap_offline_filter(&s->prog, h, data)) {
				if (s->linktype == DLT_EN10MB && h->caplen >= 14 &&
				    is_vlan_tpid(data[12], data[13]))
					cap->vlan_rejected++;
				continue;
			}
			/* -w: what the filter passed (live, the kernel
			 * filters: every frame) */
			if (cap->dumper != NULL && cap->dump_micro) {
				/* files are read in ns (tv_usec holds them) */
				struct pcap_pkthdr mh = *h;
				mh.ts.tv_usec /= 1000;
				pcap_dump((u_char *)cap->dumper, &mh, data);
			} else if (cap->dumper != NULL) {
				pcap_dump((u_char *)cap->dumper, h, data);
			}
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
			p->linktype = s->linktype;
			if (!s->decoded)
				s->undecoded++;
			return TFE_CAPTURE_PACKET;
		}
		if (rc == 0 && cap->live)
			return TFE_CAPTURE_AGAIN;
		if (rc == PCAP_ERROR_BREAK) {
			own_release(&s->rd);
			cap->cur++;
			continue;
		}
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "%s: %s", s->name,
		            s->own ? s->rd.errbuf : pcap_geterr(s->pcap));
		return TFE_CAPTURE_ERROR;
	}
	return TFE_CAPTURE_END;
}

guint
tfe_capture_own_files(const struct tfe_capture *cap)
{
	guint n = 0;

	for (guint i = 0; i < cap->n; i++)
		n += cap->src[i].own;
	return n;
}

uint64_t
tfe_capture_frames(const struct tfe_capture *cap)
{
	return cap->frames;
}

guint
tfe_capture_undecoded(const struct tfe_capture *cap,
                      struct tfe_linktype_count *out, guint max)
{
	guint n = 0;

	for (guint i = 0; i < cap->n; i++) {
		const struct source *s = &cap->src[i];
		guint j;

		if (s->decoded || s->undecoded == 0)
			continue;
		for (j = 0; j < n && out[j].linktype != s->linktype; j++)
			;
		if (j == n) {
			if (n == max)
				continue;
			out[n].linktype = s->linktype;
			out[n].frames = 0;
			n++;
		}
		out[j].frames += s->undecoded;
	}
	return n;
}

const char *
tfe_capture_linktype_name(int linktype)
{
	const char *name = pcap_datalink_val_to_name(linktype);

	return name != NULL ? name : "unknown";
}

const char *
tfe_capture_linktype_description(int linktype)
{
	const char *d = pcap_datalink_val_to_description(linktype);

	return d != NULL ? d : "not known to libpcap";
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
	if (cap->dump_pcap != NULL)
		pcap_close(cap->dump_pcap);
	g_free(cap->warning);
	for (guint i = 0; i < cap->n; i++) {
		if (cap->src[i].filtered)
			pcap_freecode(&cap->src[i].prog);
		if (cap->src[i].pcap)
			pcap_close(cap->src[i].pcap);
		g_free(cap->src[i].iobuf);
		own_release(&cap->src[i].rd);
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
		            "with setcap (see tcpflow-explain(1), LIVE CAPTURE)",
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
		            "bad filter expression: %s; the filter was taken "
		            "from the words '%s' (every word that is not an "
		            "option or an option's value)", pcap_geterr(pcap),
		            filter);
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
	s->linktype = dlt;
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

bool
tfe_capture_fanout(struct tfe_capture *cap, int group, GError **err)
{
#if defined(__linux__) && defined(PACKET_FANOUT)
	/* libpcap has no call for it: its packet socket, bound to the
	 * interface on activation, joins the group directly.  The kernel's
	 * hash is symmetric (__skb_get_hash_symmetric), so both directions
	 * of a connection go to the same member. */
	int fd = pcap_fileno(cap->src[0].pcap);
	int val = (group & 0xffff) | (PACKET_FANOUT_HASH << 16);

	if (!cap->live || fd < 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "--fanout: not a live capture");
		return false;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, sizeof val) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "%s: cannot join fanout group %d: %s (the group's "
		            "other members must capture on the same interface "
		            "with the same mode)", cap->src[0].name, group,
		            g_strerror(errno));
		return false;
	}
	return true;
#else
	(void)cap;
	g_set_error(err, TFE_ERROR, TFE_ERR_USAGE,
	            "--fanout %d: packet fanout is a Linux feature", group);
	return false;
#endif
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
