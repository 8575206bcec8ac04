/*
 * frag.c: IPv4 and IPv6 fragment reassembly (the rules are in frag.h).
 *
 * The decoder describes a fragment (tfe_decode_frame_frag()); this module
 * keeps the fragments of each datagram as pieces sorted by offset, never
 * overlapping, and when the pieces cover the datagram from 0 to the end
 * its last fragment gave, writes the datagram out whole (its IP header
 * rewritten as unfragmented) and has the decoder read it.  A datagram can
 * itself carry a tunnel whose inner packet is a fragment: that one is
 * held the same way, so the work is a loop of at most one pass per
 * tunnel level.
 *
 * It must not touch the flow table or anything after it, and it reads a
 * frame's bytes only where the decoder said they are.  Memory is bounded
 * (TFE_FRAG_MAX_DATAGRAMS, TFE_FRAG_MAX_BYTES); time is the capture's.
 */
#include "frag.h"

#include <glib.h>
#include <string.h>

#define NS_PER_S INT64_C(1000000000)
#define IPV4_MAX_LEN 65535    /* total length is 16 bits */
#define IPV6_HDR 40
#define IPPROTO_UDP_NUM 17

const char *const tfe_frag_drop_names[TFE_FD__COUNT] = {
	[TFE_FD_TIMEOUT] = "timed out",
	[TFE_FD_OVERLAP] = "overlapping fragments",
	[TFE_FD_INVALID] = "invalid fragments",
	[TFE_FD_MEMORY]  = "pushed out by the memory limit",
	[TFE_FD_PIECES]  = "too many fragments",
	[TFE_FD_END]     = "incomplete at the end of the capture",
};

const char *const tfe_frag_drop_keys[TFE_FD__COUNT] = {
	[TFE_FD_TIMEOUT] = "timeout",
	[TFE_FD_OVERLAP] = "overlap",
	[TFE_FD_INVALID] = "invalid",
	[TFE_FD_MEMORY]  = "memory",
	[TFE_FD_PIECES]  = "too_many_fragments",
	[TFE_FD_END]     = "end_of_capture",
};

/* What identifies a datagram (RFC 791 §3.2; RFC 8200 §4.5), and the
 * tunnel it came through.  Zeroed before it is filled: hashed as bytes. */
struct key {
	uint8_t family;
	uint8_t proto;      /* IPv4 only: IPv6 leaves it out (RFC 8200) */
	uint8_t level;
	uint8_t tunnel_kind;
	uint32_t id;
	uint8_t src[16], dst[16];
	uint8_t tsrc[16], tdst[16]; /* outermost tunnel's, zero when none */
};

/* Bytes [off, end) of the fragmentable part, in `bytes` (`cap` of them:
 * all, as only fragments captured whole are held). */
struct piece {
	uint32_t off, end, cap;
	uint8_t *bytes;
};

enum dgram_state {
	DG_HOLD,      /* fragments held, waiting for the rest */
	DG_DEAD,      /* dropped; its later fragments are counted so */
	DG_UNWANTED   /* cannot lead to TCP: later fragments are not TCP */
};

struct dgram {
	struct key key;
	int64_t expires;             /* ns, capture time */
	struct dgram *prev, *next;   /* its family's list, oldest first */
	enum dgram_state state;
	bool have_last;              /* the fragment without MF/M came */
	bool ip_csum_bad;
	uint32_t end;                /* the last fragment's end, else the
	                                largest end so far */
	uint32_t held;               /* bytes of [0, end) held */
	uint32_t frames;             /* fragments held */
	struct piece *p;             /* sorted by off, disjoint */
	unsigned n, room;
	uint8_t *hdr;                /* the first fragment's unfragmentable
	                                part, once it came */
	struct tfe_fragment first;   /* its description */
	size_t mem;                  /* charged against TFE_FRAG_MAX_BYTES */
};

struct tfe_defrag {
	struct tfe_defrag_head h;    /* first: frag.h's inline reads it */
	GHashTable *table;           /* struct key -> struct dgram */
	struct dgram *head[2], *tail[2]; /* [0] IPv4, [1] IPv6 */
	size_t mem;
	int64_t now;
	struct tfe_defrag_stats st;
	/* a datagram written out, and the one inside it (a tunnel's
	 * fragment reassembled from the first): IPv6's 40-byte header
	 * before a 65535-byte payload is the largest */
	uint8_t buf[2][IPV6_HDR + 65535];
};

static guint
key_hash(gconstpointer p)
{
	const uint8_t *b = p;
	guint h = 2166136261u;

	for (size_t i = 0; i < sizeof(struct key); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct key)) == 0;
}

struct tfe_defrag *
tfe_defrag_new(void)
{
	struct tfe_defrag *d = g_new0(struct tfe_defrag, 1);

	d->table = g_hash_table_new(key_hash, key_equal);
	d->now = INT64_MIN;
	return d;
}

/* Frees what a datagram holds, keeping the entry. */
static void
release(struct tfe_defrag *d, struct dgram *dg)
{
	for (unsigned i = 0; i < dg->n; i++)
		g_free(dg->p[i].bytes);
	g_free(dg->p);
	g_free(dg->hdr);
	dg->p = NULL;
	dg->n = dg->room = 0;
	dg->hdr = NULL;
	d->mem -= dg->mem;
	dg->mem = sizeof *dg;
	d->mem += dg->mem;
}

static void
unlink_dgram(struct tfe_defrag *d, struct dgram *dg)
{
	int fam = dg->key.family == 6;

	if (dg->prev)
		dg->prev->next = dg->next;
	else
		d->head[fam] = dg->next;
	if (dg->next)
		dg->next->prev = dg->prev;
	else
		d->tail[fam] = dg->prev;
}

/* Forgets a datagram altogether. */
static void
forget(struct tfe_defrag *d, struct dgram *dg)
{
	release(d, dg);
	unlink_dgram(d, dg);
	g_hash_table_remove(d->table, &dg->key);
	d->mem -= dg->mem;
	d->h.count--;
	g_free(dg);
}

/* Drops a datagram that was being held, for `why`; its entry stays, dead,
 * until its timeout. */
static void
drop(struct tfe_defrag *d, struct dgram *dg, enum tfe_frag_drop why)
{
	d->st.dropped[why]++;
	d->st.dropped_fragments += dg->frames;
	release(d, dg);
	dg->state = DG_DEAD;
}

/* Ends an entry: a datagram still held was dropped for `why`. */
static void
retire(struct tfe_defrag *d, struct dgram *dg, enum tfe_frag_drop why)
{
	if (dg->state == DG_HOLD) {
		d->st.dropped[why]++;
		d->st.dropped_fragments += dg->frames;
	}
	forget(d, dg);
}

void
tfe_defrag_free(struct tfe_defrag *d)
{
	if (d == NULL)
		return;
	for (int fam = 0; fam < 2; fam++)
		while (d->head[fam] != NULL)
			forget(d, d->head[fam]);
	g_hash_table_destroy(d->table);
	g_free(d);
}

/* Entries whose timeout has passed on the capture's clock. */
static void
expire(struct tfe_defrag *d)
{
	for (int fam = 0; fam < 2; fam++)
		while (d->head[fam] != NULL && d->head[fam]->expires <= d->now)
			retire(d, d->head[fam], TFE_FD_TIMEOUT);
}

/* The oldest entry other than `keep`, or NULL. */
static struct dgram *
oldest(struct tfe_defrag *d, const struct dgram *keep)
{
	struct dgram *c[2];

	for (int fam = 0; fam < 2; fam++) {
		c[fam] = d->head[fam];
		if (c[fam] != NULL && c[fam] == keep)
			c[fam] = c[fam]->next;
	}
	if (c[0] == NULL)
		return c[1];
	if (c[1] == NULL)
		return c[0];
	/* created at expires minus the family's timeout */
	return c[0]->expires - TFE_FRAG_TIMEOUT_V4 * NS_PER_S <=
	       c[1]->expires - TFE_FRAG_TIMEOUT_V6 * NS_PER_S ? c[0] : c[1];
}

/* Pushes the oldest entries out until `datagrams` more entries and
 * `bytes` more bytes fit; `keep` stays. */
static void
make_room(struct tfe_defrag *d, size_t datagrams, size_t bytes,
          const struct dgram *keep)
{
	struct dgram *o;

	while ((d->h.count + datagrams > TFE_FRAG_MAX_DATAGRAMS ||
	        d->mem + bytes > TFE_FRAG_MAX_BYTES) &&
	       (o = oldest(d, keep)) != NULL)
		retire(d, o, TFE_FD_MEMORY);
}

static void
note_peak(struct tfe_defrag *d)
{
	if (d->h.count > d->st.peak_datagrams)
		d->st.peak_datagrams = d->h.count;
}

static void
key_of(const struct tfe_fragment *f, struct key *k)
{
	memset(k, 0, sizeof *k);
	k->family = f->family;
	k->proto = f->family == 4 ? f->proto : 0;
	k->level = f->level;
	k->tunnel_kind = f->tunnel.kind;
	k->id = f->id;
	memcpy(k->src, f->src, 16);
	memcpy(k->dst, f->dst, 16);
	if (f->tunnel.depth > 0) {
		memcpy(k->tsrc, f->tunnel.src, 16);
		memcpy(k->tdst, f->tunnel.dst, 16);
	}
}

static struct dgram *
create(struct tfe_defrag *d, const struct key *k, int64_t ts)
{
	make_room(d, 1, sizeof(struct dgram), NULL);
	struct dgram *dg = g_new0(struct dgram, 1);
	int fam = k->family == 6;

	dg->key = *k;
	dg->expires = ts + (fam ? TFE_FRAG_TIMEOUT_V6 : TFE_FRAG_TIMEOUT_V4) *
	                   NS_PER_S;
	dg->state = DG_HOLD;
	dg->mem = sizeof *dg;
	dg->prev = d->tail[fam];
	if (d->tail[fam])
		d->tail[fam]->next = dg;
	else
		d->head[fam] = dg;
	d->tail[fam] = dg;
	g_hash_table_insert(d->table, &dg->key, dg);
	d->h.count++;
	d->mem += dg->mem;
	return dg;
}

/* The first piece whose end is past `off` (pieces are disjoint and
 * sorted, so their ends are sorted too). */
static unsigned
first_after(const struct dgram *dg, uint32_t off)
{
	unsigned lo = 0, hi = dg->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (dg->p[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Holds one fragment.  Returns TFE_DR_OK when it completed its datagram
 * (*out_dg then says which), the fragment reason when it was held, or
 * why it was not.
 */
static enum tfe_decode_reason
hold(struct tfe_defrag *d, int64_t ts, const uint8_t *base,
     const struct tfe_fragment *f, struct dgram **out_dg)
{
	enum tfe_decode_reason held = f->family == 4 ? TFE_DR_IPV4_FRAGMENT :
	                                               TFE_DR_IPV6_FRAGMENT;
	struct key k;
	struct dgram *dg;

	key_of(f, &k);
	dg = g_hash_table_lookup(d->table, &k);
	if (dg == NULL) {
		dg = create(d, &k, ts);
		if (f->discard) {
			dg->state = DG_UNWANTED;
			return TFE_DR_NOT_TCP;
		}
	}
	if (dg->state == DG_DEAD)
		return TFE_DR_FRAG_OF_DROPPED;
	if (dg->state == DG_UNWANTED)
		return TFE_DR_NOT_TCP;
	if (f->discard) {
		/* Its first fragment shows UDP to no tunnel port: the rest
		 * is not for us, and nothing was lost. */
		release(d, dg);
		dg->state = DG_UNWANTED;
		return TFE_DR_NOT_TCP;
	}

	/* A fragment that contradicts the datagram (see frag.h). */
	uint32_t off = f->offset;
	uint64_t end = (uint64_t)f->offset + f->len;
	if (f->len == 0 || end > 65535 || (f->more && (f->len & 7) != 0) ||
	    (!f->more && (end < dg->end || (dg->have_last && end != dg->end))) ||
	    (f->more && dg->have_last && end > dg->end)) {
		drop(d, dg, TFE_FD_INVALID);
		return TFE_DR_FRAG_INVALID;
	}

	/* Overlaps: all within what is held is a duplicate, part of it
	 * drops the datagram. */
	unsigned at = first_after(dg, off);
	if (at < dg->n && dg->p[at].off < end) {
		uint64_t pos = off;
		for (unsigned i = at; i < dg->n && dg->p[i].off <= pos &&
		     pos < end; i++)
			pos = dg->p[i].end;
		if (pos < end) {
			drop(d, dg, TFE_FD_OVERLAP);
			return TFE_DR_FRAG_OVERLAP;
		}
		if (!f->more) {
			dg->have_last = true;
			dg->end = (uint32_t)end;
		}
		/* Only a copy; but a last fragment that repeats bytes held
		 * under MF still says where the datagram ends. */
		if (!dg->have_last || dg->held != dg->end)
			return TFE_DR_FRAG_DUPLICATE;
		*out_dg = dg;
		return TFE_DR_OK;
	}
	if (dg->n == TFE_FRAG_MAX_PIECES) {
		drop(d, dg, TFE_FD_PIECES);
		return TFE_DR_FRAG_LIMIT;
	}

	size_t need = f->captured + sizeof(struct piece) +
	              (off == 0 ? f->hdr_len : 0);
	make_room(d, 0, need, dg);
	if (dg->n == dg->room) {
		dg->room = dg->room ? dg->room * 2 : 4;
		dg->p = g_renew(struct piece, dg->p, dg->room);
	}
	memmove(dg->p + at + 1, dg->p + at, (dg->n - at) * sizeof *dg->p);
	dg->n++;
	struct piece *p = &dg->p[at];
	p->off = off;
	p->end = (uint32_t)end;
	p->cap = f->captured;
	p->bytes = g_memdup2(base + f->data_at, f->captured);
	if (off == 0) {
		dg->hdr = g_memdup2(base + f->hdr_at, f->hdr_len);
		dg->first = *f;
	}
	dg->mem += need;
	d->mem += need;
	dg->held += f->len;
	dg->frames++;
	dg->ip_csum_bad |= f->ip_csum_bad;
	if (!f->more)
		dg->have_last = true;
	if (end > dg->end)
		dg->end = (uint32_t)end;
	note_peak(d);
	if (!dg->have_last || dg->held != dg->end)
		return held;
	*out_dg = dg;
	return TFE_DR_OK;
}

/* RFC 1071 over an IPv4 header of `n` bytes whose checksum field is 0. */
static uint16_t
ipv4_csum(const uint8_t *h, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Writes a complete datagram out into `buf`: its first fragment's
 * unfragmentable part, rewritten as unfragmented, then the pieces (each
 * captured whole: a fragment cut by the snapshot length is never held).
 * Returns false when it would be longer than its IP header can say.
 */
static bool
build(const struct dgram *dg, uint8_t *buf, size_t *caplen, size_t *wirelen)
{
	size_t hlen = dg->first.hdr_len, total = dg->end;

	if (dg->key.family == 4 ? hlen + total > IPV4_MAX_LEN :
	                          hlen - IPV6_HDR + total > 65535)
		return false;
	memcpy(buf, dg->hdr, hlen);
	if (dg->key.family == 4) {
		size_t len = hlen + total;
		buf[2] = (uint8_t)(len >> 8);
		buf[3] = (uint8_t)len;
		buf[6] &= 0xc0; /* DF and the reserved bit stay */
		buf[7] = 0;
		buf[10] = buf[11] = 0;
		uint16_t cs = ipv4_csum(buf, hlen);
		buf[10] = (uint8_t)(cs >> 8);
		buf[11] = (uint8_t)cs;
	} else {
		size_t plen = hlen - IPV6_HDR + total;
		buf[4] = (uint8_t)(plen >> 8);
		buf[5] = (uint8_t)plen;
		buf[dg->first.nh_at] = dg->first.proto;
	}
	for (unsigned i = 0; i < dg->n; i++) {
		const struct piece *p = &dg->p[i];
		memcpy(buf + hlen + p->off, p->bytes, p->cap);
	}
	*caplen = hlen + total;
	*wirelen = hlen + total;
	return true;
}

enum tfe_decode_reason
tfe_defrag_more(struct tfe_defrag *d, int linktype, int64_t ts,
                const uint8_t *data, size_t caplen, size_t wirelen,
                struct tfe_segment *out, enum tfe_decode_reason r,
                const struct tfe_fragment *first)
{
	struct tfe_fragment f = *first;

	if (ts > d->now) {
		d->now = ts;
		expire(d);
	}
	/* One pass per datagram: a datagram that carries a tunnel whose
	 * inner packet is a fragment goes round again, one tunnel level
	 * deeper each time (the decoder opens at most
	 * TFE_MAX_TUNNEL_DEPTH). */
	const uint8_t *base = data;
	struct tfe_fragment outer;       /* the datagram `base` holds, after
	                                    the first pass */
	size_t outer_cap = 0, outer_wire = 0;
	for (unsigned pass = 0; r == TFE_DR_IPV4_FRAGMENT ||
	     r == TFE_DR_IPV6_FRAGMENT; pass++) {
		struct dgram *dg = NULL;
		size_t cap, wire;
		uint8_t *buf = d->buf[pass & 1];

		if (f.captured < f.len) {
			/* Cut by the snapshot length: as Wireshark, not
			 * reassembled; decoded alone, as without reassembly
			 * (a first fragment's TCP header is read). */
			if (pass == 0)
				return tfe_decode_frame(linktype, data, caplen,
				                        wirelen, out);
			return tfe_decode_datagram(&outer, base, outer_cap,
			                           outer_wire, out, NULL);
		}
		r = hold(d, ts, base, &f, &dg);
		if (r != TFE_DR_OK)
			return r;
		if (!build(dg, buf, &cap, &wire)) {
			drop(d, dg, TFE_FD_INVALID);
			return TFE_DR_FRAG_INVALID;
		}
		outer = dg->first;
		outer.ip_csum_bad = dg->ip_csum_bad;
		outer_cap = cap;
		outer_wire = wire;
		d->st.reassembled++;
		d->st.reassembled_fragments += dg->frames;
		forget(d, dg);
		r = tfe_decode_datagram(&outer, buf, cap, wire, out, &f);
		base = buf;
	}
	return r;
}

void
tfe_defrag_finish(struct tfe_defrag *d)
{
	for (int fam = 0; fam < 2; fam++)
		while (d->head[fam] != NULL)
			retire(d, d->head[fam], TFE_FD_END);
}

const struct tfe_defrag_stats *
tfe_defrag_stats(const struct tfe_defrag *d)
{
	return &d->st;
}

void
tfe_defrag_stats_add(struct tfe_defrag_stats *to,
                     const struct tfe_defrag_stats *from)
{
	to->reassembled += from->reassembled;
	to->reassembled_fragments += from->reassembled_fragments;
	for (int i = 0; i < TFE_FD__COUNT; i++)
		to->dropped[i] += from->dropped[i];
	to->dropped_fragments += from->dropped_fragments;
	if (from->peak_datagrams > to->peak_datagrams)
		to->peak_datagrams = from->peak_datagrams;
}
