/*
 * zeek.c: Zeek's conn_state and history, and Wireshark's tcp.completeness,
 * for one connection (see zeek.h).
 *
 * The model follows the rules of Zeek's TCP analysis as its documentation
 * and source state them, step by step for every segment, in Zeek's order:
 * checksum check, reuse check, endpoint initialisation, history letters,
 * zero window, sequence bookkeeping (retransmissions), the endpoint state
 * machine, acknowledgements (content gaps), data, close.  Role names here
 * are Zeek's: "orig" and "resp" are whichever of our two sides Zeek takes
 * for originator and responder, which can differ from our client and
 * server.  Nothing here allocates or prints.
 */
#include "zeek.h"

#include <string.h>

#include "conn.h"

const char *const tfe_zeek_state_names[TFE_ZK__COUNT] = {
	[TFE_ZK_INACTIVE] = "INACTIVE",
	[TFE_ZK_SYN_SENT] = "SYN_SENT",
	[TFE_ZK_SYN_ACK_SENT] = "SYN_ACK_SENT",
	[TFE_ZK_PARTIAL] = "PARTIAL",
	[TFE_ZK_ESTABLISHED] = "ESTABLISHED",
	[TFE_ZK_CLOSED] = "CLOSED",
	[TFE_ZK_RESET] = "RESET",
};

const char *const tfe_zeek_conn_state_names[TFE_ZCS__COUNT] = {
	[TFE_ZCS_S0] = "S0",
	[TFE_ZCS_S1] = "S1",
	[TFE_ZCS_SF] = "SF",
	[TFE_ZCS_REJ] = "REJ",
	[TFE_ZCS_S2] = "S2",
	[TFE_ZCS_S3] = "S3",
	[TFE_ZCS_RSTO] = "RSTO",
	[TFE_ZCS_RSTR] = "RSTR",
	[TFE_ZCS_RSTOS0] = "RSTOS0",
	[TFE_ZCS_RSTRH] = "RSTRH",
	[TFE_ZCS_SH] = "SH",
	[TFE_ZCS_SHR] = "SHR",
	[TFE_ZCS_OTH] = "OTH",
};

/* Zeek's defaults (init-bare.zeek), in ns. */
#define NS 1000000000LL
#define ZK_ATTEMPT_DELAY  (5 * NS)   /* tcp_attempt_delay */
#define ZK_CLOSE_DELAY    (5 * NS)   /* tcp_close_delay */
#define ZK_LINGER         (5 * NS)   /* tcp_connection_linger */
#define ZK_INACTIVITY     (300 * NS) /* tcp_inactivity_timeout */
#define ZK_PRE_INACTIVITY (60 * NS)  /* udp_inactivity_timeout, in force
                                        until the handshake is over */
/* Sequence jumps Zeek does not trust on a SYN or RST (TOO_LARGE_SEQ_DELTA). */
#define ZK_TOO_LARGE_DELTA 1048576

/* The letters Zeek records at most once per direction, as bits of
 * hist_seen; the responder's are these shifted left by 8. */
#define HIST_SYN      0x001
#define HIST_FIN      0x002
#define HIST_RST      0x004
#define HIST_FIN_RST  0x008
#define HIST_DATA     0x010
#define HIST_ACK      0x020
#define HIST_MULTI    0x040

/*
 * TCP ports in Zeek's likely_server_ports with its default scripts loaded
 * (each protocol script adds the ports it registers its analyzer for):
 * FTP, SSH, SMTP, DNS, HTTP, Kerberos, POP3, DCE-RPC, NetBIOS/SMB, IMAP,
 * LDAP, SSL/TLS, Modbus, SOCKS, MySQL, MQTT, RDP, PostgreSQL, XMPP, Redis,
 * IRC, DNP3.  Sorted, for the binary search.
 */
static const uint16_t likely_ports[] = {
	21, 22, 25, 53, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502,
	563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434,
	1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379,
	6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

bool
tfe_zeek_likely_server_port(uint16_t port)
{
	size_t lo = 0, hi = sizeof likely_ports / sizeof likely_ports[0];

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (likely_ports[mid] == port)
			return true;
		if (likely_ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int32_t
delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void
tfe_zeek_clear(struct tfe_zeek *z)
{
	/* Most connections allocated nothing: no call to free them. */
	for (int i = 0; i < 2; i++) {
		if (z->ep[i].blk != NULL)
			g_free(z->ep[i].blk);
		z->ep[i].blk = NULL;
		z->ep[i].nblocks = 0;
	}
	if (z->hist_len > TFE_ZEEK_HISTORY_INLINE)
		g_free(z->history.ext);
	z->hist_len = 0;
	z->history.in[0] = '\0';
}

void
tfe_zeek_init(struct tfe_zeek *z)
{
	memset(z, 0, sizeof *z);
	for (int i = 0; i < 2; i++) {
		struct tfe_zeek_ep *e = &z->ep[i];
		e->reassem = e->trim = 1;
	}
}

/* ---- history (Connection::AddHistory, CheckHistory, ScaledHistoryEntry) */

static bool
is_orig(const struct tfe_zeek *z, const struct tfe_zeek_ep *e)
{
	return e == &z->ep[z->orig];
}

/* The letters past TFE_ZEEK_HISTORY_INLINE, out of line: few connections
 * get there. */
static G_GNUC_NO_INLINE void
add_history_long(struct tfe_zeek *z, char code)
{
	if (z->hist_len >= TFE_ZEEK_HISTORY_MAX)
		return;
	if (z->hist_len == TFE_ZEEK_HISTORY_INLINE) {
		char *h = g_malloc(TFE_ZEEK_HISTORY_MAX + 1);
		memcpy(h, z->history.in, TFE_ZEEK_HISTORY_INLINE);
		z->history.ext = h;
	}
	z->history.ext[z->hist_len++] = code;
	z->history.ext[z->hist_len] = '\0';
}

static inline void
add_history(struct tfe_zeek *z, char code)
{
	if (z->hist_len >= TFE_ZEEK_HISTORY_INLINE) {
		add_history_long(z, code);
		return;
	}
	z->history.in[z->hist_len++] = code;
	z->history.in[z->hist_len] = '\0';
}

/* The letter in the sender's case: upper for the originator. */
static char
cased(const struct tfe_zeek *z, const struct tfe_zeek_ep *e, char upper)
{
	return is_orig(z, e) ? upper : (char)(upper - 'A' + 'a');
}

/* Records `code` the first time only; true when it had been seen. */
static inline bool
check_history(struct tfe_zeek *z, const struct tfe_zeek_ep *e, uint16_t mask,
              char code)
{
	if (!is_orig(z, e))
		mask = (uint16_t)(mask << 8);
	if (z->hist_seen & mask)
		return true;
	z->hist_seen |= mask;
	add_history(z, cased(z, e, code));
	return false;
}

/* C, G, T and W: the 1st, 10th, 100th ... time; past 10^9, every 10^9th
 * time again. */
static inline void
scaled(struct tfe_zeek *z, const struct tfe_zeek_ep *e, char code,
       uint32_t *cnt, uint8_t *exp)
{
	static const uint32_t pow10[] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
		100000000, 1000000000
	};

	if (++*cnt != pow10[*exp])
		return;
	add_history(z, cased(z, e, code));
	if (*exp == G_N_ELEMENTS(pow10) - 1)
		*cnt = 0;
	else
		++*exp;
}

/* Zeek swaps the roles: '^', and the letters that follow use the new
 * roles' case.  The once-only bits stay where they were (by role). */
static void
flip(struct tfe_zeek *z)
{
	z->orig = (uint8_t)!z->orig;
	z->first_seen = (uint8_t)(((z->first_seen & 1) << 1) |
	                          ((z->first_seen & 2) >> 1));
	z->is_partial = false;
	add_history(z, '^');
}

static void
set_state(struct tfe_zeek_ep *e, uint8_t st)
{
	if (e->state == st)
		return;
	e->prev_state = e->state;
	e->state = st;
}

/* ---- the once-per-packet letters (update_history in Zeek's TCP) */

static void
history_letters(struct tfe_zeek *z, struct tfe_zeek_ep *e, uint16_t f,
                uint32_t rel_seq, uint32_t len)
{
	bool syn = f & TFE_TH_SYN, fin = f & TFE_TH_FIN, rst = f & TFE_TH_RST;
	int bits = syn + fin + rst;

	if (bits > 1) {
		if (fin && rst)
			check_history(z, e, HIST_FIN_RST, 'I');
		else
			check_history(z, e, HIST_MULTI, 'Q');
	} else if (syn) {
		char code = (f & TFE_TH_ACK) ? 'H' : 'S';
		/* S and H again only for a SYN at another sequence number */
		if (check_history(z, e, HIST_SYN, code) &&
		    rel_seq != e->hist_last_syn)
			add_history(z, cased(z, e, code));
		e->hist_last_syn = rel_seq;
	} else if (fin) {
		/* a FIN's sequence number is after its data */
		if (check_history(z, e, HIST_FIN, 'F') &&
		    rel_seq + len != e->hist_last_fin)
			add_history(z, cased(z, e, 'F'));
		e->hist_last_fin = rel_seq + len;
	} else if (rst) {
		if (check_history(z, e, HIST_RST, 'R') &&
		    rel_seq != e->hist_last_rst)
			add_history(z, cased(z, e, 'R'));
		e->hist_last_rst = rel_seq;
	} else if (len > 0) {
		check_history(z, e, HIST_DATA, 'D');
	} else if (f & TFE_TH_ACK) {
		check_history(z, e, HIST_ACK, 'A');
	}
}

/* ---- reassembly, for the content gaps (G) */

static bool
is_clean(const struct tfe_zeek_ep *e)
{
	return e->state == TFE_ZK_ESTABLISHED ||
	       (e->state == TFE_ZK_CLOSED && e->prev_state == TFE_ZK_ESTABLISHED);
}

/* Delivers the held blocks that now continue the stream. */
static void
deliver_blocks(struct tfe_zeek_ep *e)
{
	bool more = true;

	while (more) {
		more = false;
		for (int i = 0; i < e->nblocks; i++) {
			if (delta(e->blk->lo[i], e->reassem) > 0)
				continue;
			if (delta(e->blk->hi[i], e->reassem) > 0)
				e->reassem = e->blk->hi[i];
			e->blk->lo[i] = e->blk->lo[e->nblocks - 1];
			e->blk->hi[i] = e->blk->hi[e->nblocks - 1];
			e->nblocks--;
			more = true;
			break;
		}
	}
}

/* TCP_Reassembler::DataSent: bytes [seq, seq + len) of `e`'s stream. */
static void
data_sent(struct tfe_zeek_ep *e, uint32_t seq, uint32_t len)
{
	uint32_t ack = e->ack_seq - e->start_seq;
	uint32_t hi = seq + len;

	if (delta(seq, ack) < 0) {
		/* acknowledged already: only the rest is new */
		if (delta(hi, ack) <= 0)
			return;
		seq = ack;
	}
	if (delta(seq, e->trim) < 0) {
		if (delta(hi, e->trim) <= 0)
			return;
		seq = e->trim;
	}
	if (delta(hi, e->reassem) <= 0)
		return;                         /* old data */
	if (delta(seq, e->reassem) <= 0) {
		e->reassem = hi;
		deliver_blocks(e);
		return;
	}
	/* above a hole: hold it */
	for (int i = 0; i < e->nblocks; i++) {
		if (delta(seq, e->blk->hi[i]) <= 0 && delta(hi, e->blk->lo[i]) >= 0) {
			if (delta(seq, e->blk->lo[i]) < 0)
				e->blk->lo[i] = seq;
			if (delta(hi, e->blk->hi[i]) > 0)
				e->blk->hi[i] = hi;
			return;
		}
	}
	if (e->nblocks < TFE_ZEEK_BLOCKS) {
		if (e->blk == NULL)
			e->blk = g_new(struct tfe_zeek_blocks, 1);
		e->blk->lo[e->nblocks] = seq;
		e->blk->hi[e->nblocks] = hi;
		e->nblocks++;
	}
}

static void
gap(struct tfe_zeek *z, struct tfe_zeek_ep *e)
{
	if (is_clean(e) && is_clean(&z->ep[e == &z->ep[0]]))
		scaled(z, e, 'G', &e->gap_cnt, &e->gap_exp);
}

/* TCP_Reassembler::AckReceived and Undelivered: the peer acknowledged
 * `e`'s stream up to `seq`, past what it had acknowledged before
 * (ack_received() below tests that); what was never seen below it is a
 * gap. */
static G_GNUC_NO_INLINE void
ack_received_new(struct tfe_zeek *z, struct tfe_zeek_ep *e, uint32_t seq)
{
	if (delta(seq, e->reassem) > 0) {
		if (!(delta(seq, 2) <= 0 && z->is_partial)) {
			/* holes below held blocks first, then the rest */
			for (;;) {
				int lowest = -1;
				for (int i = 0; i < e->nblocks; i++)
					if (delta(e->blk->lo[i], seq) < 0 &&
					    (lowest < 0 || delta(e->blk->lo[i],
					     e->blk->lo[lowest]) < 0))
						lowest = i;
				if (lowest < 0)
					break;
				gap(z, e);
				e->reassem = e->blk->lo[lowest];
				deliver_blocks(e);
			}
			if (delta(seq, e->reassem) > 0)
				gap(z, e);
			e->reassem = seq;
		}
	}
	e->trim = seq;
	for (int i = 0; i < e->nblocks;) {
		if (delta(e->blk->hi[i], seq) <= 0) {
			e->blk->lo[i] = e->blk->lo[e->nblocks - 1];
			e->blk->hi[i] = e->blk->hi[e->nblocks - 1];
			e->nblocks--;
		} else {
			i++;
		}
	}
}

/* Most ACKs acknowledge nothing new: that test inline, the rest not. */
static inline void
ack_received(struct tfe_zeek *z, struct tfe_zeek_ep *e, uint32_t seq)
{
	if (e->fin_seen && delta(seq, e->fin_seq) >= 0)
		seq = e->fin_seq - 1;
	if (delta(seq, e->trim) <= 0)
		return;
	ack_received_new(z, e, seq);
}

/* ---- the endpoint state machine (UpdateStateMachine and its parts) */

static void
close_endpoint(struct tfe_zeek *z, struct tfe_zeek_ep *e,
               struct tfe_zeek_ep *peer)
{
	if (e->did_close)
		return;
	e->did_close = true;
	/* close_complete: the connection goes tcp_close_delay later */
	if (e->state == TFE_ZK_RESET || peer->did_close ||
	    peer->state == TFE_ZK_INACTIVE)
		z->delete_at = z->last_time + ZK_CLOSE_DELAY;
}

/* Returns whether the connection is to be reported closed (do_close). */
static bool
state_machine(struct tfe_zeek *z, struct tfe_zeek_ep *e,
              struct tfe_zeek_ep *peer, const struct tfe_segment *s,
              int64_t ts)
{
	uint16_t f = s->flags;
	bool syn = f & TFE_TH_SYN, ack = f & TFE_TH_ACK;
	bool fin = f & TFE_TH_FIN, rst = f & TFE_TH_RST;
	bool orig = is_orig(z, e);
	bool do_close = false;

	switch (e->state) {
	case TFE_ZK_INACTIVE:
		if (syn) {
			if (orig) {
				set_state(e, ack ? TFE_ZK_SYN_ACK_SENT
				                 : TFE_ZK_SYN_SENT);
				if (z->attempt_at == 0)
					z->attempt_at = ts + ZK_ATTEMPT_DELAY;
			} else {
				if (!ack && peer->state == TFE_ZK_SYN_ACK_SENT &&
				    s->seq == e->start_seq) {
					/* SYN and SYN+ACK seen the wrong way
					 * round: flip, and it is established */
					flip(z);
					set_state(peer, TFE_ZK_ESTABLISHED);
					z->first_seen |= 1;
				}
				if (peer->state == TFE_ZK_SYN_SENT)
					set_state(peer, TFE_ZK_ESTABLISHED);
				set_state(e, TFE_ZK_ESTABLISHED);
			}
		}
		if (fin) {
			set_state(e, TFE_ZK_CLOSED);
			do_close = true;
		}
		if (rst) {
			set_state(e, TFE_ZK_RESET);
			do_close = true;
		}
		if (e->state == TFE_ZK_INACTIVE) {
			/* no control flag moved it */
			if (!orig && s->payload_len == 0 &&
			    z->ep[z->orig].state == TFE_ZK_SYN_SENT) {
				/* an ACK of a SYN before the SYN+ACK */
			} else if (ack && peer->state == TFE_ZK_ESTABLISHED) {
				/* the SYN was missed, the SYN+ACK was not */
				set_state(e, TFE_ZK_ESTABLISHED);
				z->is_partial = false;
				z->first_seen |= orig ? 1 : 2;
			} else {
				set_state(e, TFE_ZK_PARTIAL);
			}
		}
		break;
	case TFE_ZK_SYN_SENT:
	case TFE_ZK_SYN_ACK_SENT:
		if (fin) {
			set_state(e, TFE_ZK_CLOSED);
			do_close = true;
		}
		if (rst) {
			set_state(e, TFE_ZK_RESET);
			do_close = true;
		}
		break;
	case TFE_ZK_ESTABLISHED:
	case TFE_ZK_PARTIAL:
		if (syn && e->state == TFE_ZK_PARTIAL &&
		    peer->state == TFE_ZK_INACTIVE && !ack)
			set_state(e, TFE_ZK_SYN_SENT);
		if (fin && !rst) {
			set_state(e, TFE_ZK_CLOSED);
			/* a FIN then RST from the peer was a normal close */
			if (peer->state == TFE_ZK_RESET &&
			    peer->prev_state == TFE_ZK_CLOSED)
				set_state(peer, TFE_ZK_CLOSED);
			do_close = true;
		}
		if (rst) {
			set_state(e, TFE_ZK_RESET);
			do_close = true;
		}
		break;
	case TFE_ZK_CLOSED:
		/* after a FIN exchange a RST changes nothing */
		if (rst && peer->state != TFE_ZK_CLOSED) {
			set_state(e, TFE_ZK_RESET);
			if (!e->did_close)
				do_close = true;
		}
		break;
	default: /* RESET: nothing moves it */
		break;
	}
	return do_close;
}

/* ---- one segment (TCPSessionAdapter::Process and what precedes it) */

/* Zeek's IsReuse(): does this SYN start a new Zeek connection? */
static bool
is_reuse(const struct tfe_zeek *z, const struct tfe_segment *s)
{
	const struct tfe_zeek_ep *o = z->orig ? &z->ep[1] : &z->ep[0];
	const struct tfe_zeek_ep *r = z->orig ? &z->ep[0] : &z->ep[1];
	const struct tfe_zeek_ep *conn_orig = o;

	if (!(s->flags & TFE_TH_SYN))
		return false;
	if (s->flags & TFE_TH_ACK) {
		if (o->state != TFE_ZK_INACTIVE)
			return false;
		conn_orig = r;
	}
	if (!o->did_close && !r->did_close) {
		if (s->seq == conn_orig->start_seq)
			return false;
		if (!(s->flags & TFE_TH_ACK) &&
		    conn_orig->state == TFE_ZK_SYN_ACK_SENT &&
		    r->state == TFE_ZK_INACTIVE)
			return false;
	}
	return true;
}

/* The timers that would have ended Zeek's connection before `ts`. */
static bool
timed_out(struct tfe_zeek *z, int64_t ts)
{
	const struct tfe_zeek_ep *o = z->orig ? &z->ep[1] : &z->ep[0];
	const struct tfe_zeek_ep *r = z->orig ? &z->ep[0] : &z->ep[1];

	if (z->attempt_at != 0 && ts >= z->attempt_at) {
		z->attempt_at = 0;
		if ((o->state == TFE_ZK_SYN_SENT ||
		     o->state == TFE_ZK_SYN_ACK_SENT) &&
		    r->state == TFE_ZK_INACTIVE)
			return true;
	}
	if (z->delete_at != 0 && ts >= z->delete_at)
		return true;
	bool handshaking = o->state <= TFE_ZK_SYN_ACK_SENT &&
	                   r->state <= TFE_ZK_SYN_ACK_SENT;
	if (ts - z->last_time >= (handshaking ? ZK_PRE_INACTIVITY
	                                      : ZK_INACTIVITY))
		return true;
	/* ExpireTimer: quiet for tcp_connection_linger after a close */
	if (ts - z->last_time > ZK_LINGER && (o->did_close || r->did_close) &&
	    ((o->did_close && r->did_close) || o->state == TFE_ZK_RESET ||
	     r->state == TFE_ZK_RESET || o->state == TFE_ZK_INACTIVE ||
	     r->state == TFE_ZK_INACTIVE))
		return true;
	return false;
}

/* The completeness bits one segment sets: a SYN+ACK its own bit; a SYN
 * its own, and DATA when it carries payload; else, with ACK and without
 * SYN, DATA or (no payload) ACK; FIN only with ACK; RST always.  Payload
 * without ACK and a FIN without ACK set nothing. */
static uint8_t
completeness_bits(const struct tfe_segment *s)
{
	uint16_t f = s->flags;
	uint8_t bits = 0;
	/* The first fragment of an IPv4 datagram not reassembled (more
	 * fragments follow): its segment's length is not known, so neither
	 * DATA nor ACK.  (For IPv6 the decoder's flag also marks an atomic
	 * fragment, which is a whole datagram: not taken.) */
	bool len_known = !(s->ip_first_fragment && s->has_ip_id);

	if ((f & (TFE_TH_SYN | TFE_TH_ACK)) == (TFE_TH_SYN | TFE_TH_ACK))
		bits |= TFE_WS_SYNACK;
	else if (f & TFE_TH_SYN)
		bits |= s->payload_len > 0 && len_known ?
		        TFE_WS_SYN | TFE_WS_DATA : TFE_WS_SYN;
	else if ((f & TFE_TH_ACK) && len_known)
		bits |= s->payload_len > 0 ? TFE_WS_DATA : TFE_WS_ACK;
	if ((f & (TFE_TH_FIN | TFE_TH_ACK)) == (TFE_TH_FIN | TFE_TH_ACK))
		bits |= TFE_WS_FIN;
	if (f & TFE_TH_RST)
		bits |= TFE_WS_RST;
	return bits;
}

void
tfe_zeek_announced(struct tfe_zeek *z)
{
	z->ws_seen = true;
}

/* Wireshark's conversation completeness, from the stream's packets
 * (completeness_bits() for each).  The SYN bit comes only from a SYN
 * without ACK that starts the stream (a SYN after a SYN+ACK sets none,
 * nor does its data set DATA), and no packet starts a stream whose
 * conversation an FTP control connection set up (tfe_zeek_announced()).
 * The stream's first packet, unless it is such a SYN, is left out of
 * tshark's first pass (the stream is created by it); the second pass
 * (tshark -2) shows each packet the value left by the packets before it,
 * so that packet's bits reach the stream's last value only when another
 * packet follows it: they are kept apart until then. */
static void
completeness(struct tfe_zeek *z, const struct tfe_segment *s)
{
	bool first = !z->ws_seen;
	uint8_t bits = completeness_bits(s);

	z->ws_seen = true;
	z->completeness |= z->ws_first;
	z->ws_first = 0;
	if ((s->flags & (TFE_TH_SYN | TFE_TH_ACK)) == TFE_TH_SYN) {
		/* only the SYN that starts the stream sets SYN */
		if (!first)
			bits &= (uint8_t)~(TFE_WS_SYN | TFE_WS_DATA);
		z->completeness |= bits;
	} else if (first) {
		z->ws_first = bits;
	} else {
		z->completeness |= bits;
	}
}

/*
 * The common case, which tfe_zeek_update() below would take through all
 * of its steps to change little: an ACK or data without SYN, FIN or RST
 * between two ESTABLISHED endpoints, neither closed, after both roles'
 * first packets, no close timer set and no inactivity timeout due,
 * checksums good.  Then no letter but D or A (the first time), W, T or G
 * can be added, no state moves and no flip happens; this does the rest in
 * the same order.  Returns false, having changed nothing, when the
 * segment is not that case.
 */
static inline bool
fast_update(struct tfe_zeek *z, const struct tfe_segment *s, int side,
            int64_t ts, bool ignore_checksums)
{
	uint16_t f = s->flags;
	uint32_t len = s->payload_len;
	/* picked, not worked out (the compiler did side * 72 again for
	 * each use) */
	struct tfe_zeek_ep *e = side ? &z->ep[1] : &z->ep[0];
	struct tfe_zeek_ep *peer = side ? &z->ep[0] : &z->ep[1];

	if ((f & (TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST | TFE_TH_ACK)) !=
	    TFE_TH_ACK || !z->fast_ok ||
	    (s->ip_first_fragment && s->has_ip_id) ||
	    ts - z->last_time >= ZK_INACTIVITY ||
	    (!ignore_checksums && (s->ip_csum_bad || s->csum == TFE_CSUM_BAD)))
		return false;

	bool orig = side == z->orig;
	uint16_t letter = len > 0 ? HIST_DATA : HIST_ACK;
	if (!orig)
		letter = (uint16_t)(letter << 8);

	/* completeness(): not the stream's first packet; ACK without SYN,
	 * FIN or RST */
	z->completeness |= len > 0 ? TFE_WS_DATA : TFE_WS_ACK;
	/* timed_out(): the attempt timer goes, with nobody in SYN_SENT */
	if (z->attempt_at != 0 && ts >= z->attempt_at)
		z->attempt_at = 0;

	uint32_t rel_seq = s->seq - e->start_seq;
	uint32_t last = s->seq + len;

	/* history_letters(): D or A, the first time only */
	if (G_UNLIKELY(!(z->hist_seen & letter))) {
		char code = len > 0 ? 'D' : 'A';
		z->hist_seen |= letter;
		add_history(z, orig ? code : (char)(code - 'A' + 'a'));
	}
	if (s->win == 0)
		scaled(z, e, 'W', &e->win0_cnt, &e->win0_exp);
	z->last_time = ts;

	uint32_t rel_ack = 0;
	if (delta(s->ack, peer->start_seq) >= 0) {
		rel_ack = s->ack - peer->start_seq;
		if (delta(s->ack, peer->ack_seq) > 0 &&
		    !(s->ack == 0 && delta(s->ack, peer->ack_seq) >
		                     ZK_TOO_LARGE_DELTA))
			peer->ack_seq = s->ack;
	}

	if (delta(last, e->last_seq) > 0)
		e->last_seq = last;
	else if (len > 0)
		scaled(z, e, 'T', &e->rxmt_cnt, &e->rxmt_exp);

	/* data_sent() touches only e's stream and ack_received() only the
	 * peer's, so they may come in either order: the ACK last. */
	if (len > 0 && s->captured_payload >= len &&
	    delta(s->seq, e->start_seq) >= 0)
		data_sent(e, rel_seq, len);
	if (rel_ack != 0)
		ack_received(z, peer, rel_ack);
	return true;
}

/* The part of fast_update()'s test that holds for the connection: both
 * endpoints ESTABLISHED and not closed, both roles' first packets seen, no
 * close timer.  The fast path changes none of it. */
static bool
conn_fast_ok(const struct tfe_zeek *z)
{
	return z->ep[0].state == TFE_ZK_ESTABLISHED &&
	       z->ep[1].state == TFE_ZK_ESTABLISHED &&
	       !z->ep[0].did_close && !z->ep[1].did_close &&
	       z->started && !z->over && z->ws_seen && z->ws_first == 0 &&
	       z->first_seen == 3 &&
	       z->delete_at == 0;
}

/* Every other segment: kept out of line, so that the common case above
 * pays for none of its registers. */
static G_GNUC_NO_INLINE void
update_general(struct tfe_zeek *z, const struct tfe_segment *s, int side,
               int64_t ts, bool ignore_checksums)
{
	uint16_t f = s->flags;
	bool syn = f & TFE_TH_SYN, fin = f & TFE_TH_FIN, rst = f & TFE_TH_RST;
	uint32_t len = s->payload_len;

	completeness(z, s);
	if (z->over)
		return;
	/* A bad IPv4 header checksum: Zeek drops the packet unseen. */
	if (!ignore_checksums && s->ip_csum_bad)
		return;

	if (!z->started) {
		/* The sender of the first packet is the originator, unless
		 * it is not a plain SYN and its source port looks like a
		 * server's (WantConnection in Zeek's TCP analyzer). */
		z->started = true;
		z->orig = (uint8_t)side;
		z->last_time = ts;
		if (!(syn && !(f & TFE_TH_ACK)) &&
		    tfe_zeek_likely_server_port(s->sport) &&
		    (!tfe_zeek_likely_server_port(s->dport) ||
		     (!syn && s->sport < s->dport)))
			flip(z);
	} else if (timed_out(z, ts) || is_reuse(z, s)) {
		z->over = true;
		return;
	}

	struct tfe_zeek_ep *e = side ? &z->ep[1] : &z->ep[0];
	struct tfe_zeek_ep *peer = side ? &z->ep[0] : &z->ep[1];

	if (!ignore_checksums && s->csum == TFE_CSUM_BAD) {
		scaled(z, e, 'C', &e->chk_cnt, &e->chk_exp);
		return;
	}

	/* A connection that began with a SYN+ACK and goes on with an ACK
	 * or data is flipped: no scan does that (Zeek 5.1 and later). */
	{
		struct tfe_zeek_ep *o = &z->ep[z->orig];
		if (!syn && !fin && !rst && o->state == TFE_ZK_SYN_ACK_SENT &&
		    z->ep[!z->orig].state == TFE_ZK_INACTIVE) {
			flip(z);
			set_state(o, TFE_ZK_ESTABLISHED);
			z->first_seen |= 2;
		}
	}
	bool orig = is_orig(z, e);

	/* SetPartialStatus */
	if (orig) {
		if (!(z->first_seen & 1))
			z->is_partial = !syn || (f & TFE_TH_ACK);
	} else if (!(z->first_seen & 2) && !z->is_partial) {
		z->is_partial = !syn;
	}

	uint32_t seg_len = len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
	if (rst)
		seg_len -= len;
	uint32_t last = s->seq + seg_len;

	/* init_endpoint */
	switch (e->state) {
	case TFE_ZK_INACTIVE:
		if (syn) {
			e->start_seq = e->ack_seq = s->seq;
			e->last_seq = last;
		} else {
			/* as if a SYN had come just before */
			e->start_seq = e->ack_seq = s->seq - 1;
			e->last_seq = s->seq;
		}
		break;
	case TFE_ZK_SYN_SENT:
	case TFE_ZK_SYN_ACK_SENT:
	case TFE_ZK_ESTABLISHED:
	case TFE_ZK_PARTIAL:
		if (syn && (s->seq != e->start_seq ||
		            e->state == TFE_ZK_ESTABLISHED ||
		            e->state == TFE_ZK_PARTIAL)) {
			e->start_seq = e->ack_seq = s->seq;
			e->last_seq = last;
		}
		break;
	case TFE_ZK_RESET:
		if (syn && e->prev_state == TFE_ZK_INACTIVE) {
			e->start_seq = e->ack_seq = s->seq;
			e->last_seq = last;
		}
		break;
	default:
		break;
	}

	uint32_t rel_seq = s->seq - e->start_seq;
	history_letters(z, e, f, rel_seq, len);

	/* update_window: a zero window, unless with or after a RST or once
	 * the peer has closed */
	if (s->win == 0 && !rst && peer->state != TFE_ZK_CLOSED &&
	    e->state != TFE_ZK_RESET)
		scaled(z, e, 'W', &e->win0_cnt, &e->win0_exp);

	if (!e->did_close || !peer->did_close)
		z->last_time = ts;
	if (fin) {
		e->fin_seen = true;
		e->fin_seq = rel_seq + seg_len;
	}

	uint32_t rel_ack = 0;
	if (f & TFE_TH_ACK) {
		if (peer->state == TFE_ZK_INACTIVE) {
			rel_ack = 1;
			peer->start_seq = peer->ack_seq = s->ack - 1;
			peer->last_seq = s->ack - 1;
		} else if (delta(s->ack, peer->start_seq) < 0) {
			rel_ack = 0;
		} else {
			rel_ack = s->ack - peer->start_seq;
			if (!rst && delta(s->ack, peer->ack_seq) > 0 &&
			    !(s->ack == 0 && delta(s->ack, peer->ack_seq) >
			                     ZK_TOO_LARGE_DELTA))
				peer->ack_seq = s->ack;
		}
	}

	/* update_last_seq: payload that does not advance it is a
	 * retransmission (T) */
	int32_t delta_last = delta(last, e->last_seq);
	if ((syn || rst) && (delta_last > ZK_TOO_LARGE_DELTA ||
	                     delta_last < -ZK_TOO_LARGE_DELTA))
		;
	else if (fin && e->last_seq == e->start_seq + 1)
		e->last_seq = last;
	else if (e->state == TFE_ZK_RESET)
		;
	else if (delta_last > 0)
		e->last_seq = last;
	else if (len > 0)
		scaled(z, e, 'T', &e->rxmt_cnt, &e->rxmt_exp);

	bool do_close = state_machine(z, e, peer, s, ts);

	if ((f & TFE_TH_ACK) && rel_ack != 0)
		ack_received(z, peer, rel_ack);

	if (len > 0 && s->captured_payload >= len && !rst &&
	    delta(s->seq, e->start_seq) >= 0)
		data_sent(e, syn ? rel_seq + 1 : rel_seq, len);

	if (do_close)
		close_endpoint(z, e, peer);
	z->first_seen |= orig ? 1 : 2;
}

void
tfe_zeek_update(struct tfe_zeek *z, const struct tfe_segment *s, int side,
                int64_t ts, bool ignore_checksums)
{
	if (G_LIKELY(fast_update(z, s, side, ts, ignore_checksums)))
		return;
	update_general(z, s, side, ts, ignore_checksums);
	z->fast_ok = conn_fast_ok(z);
}

/* ---- results */

static uint64_t
size_of(const struct tfe_zeek_ep *e, const struct tfe_zeek_ep *peer)
{
	int32_t dl = delta(e->last_seq, e->start_seq);
	int32_t da = delta(e->ack_seq, e->start_seq);

	if (e->prev_state == TFE_ZK_SYN_SENT && e->state == TFE_ZK_RESET &&
	    peer->state == TFE_ZK_INACTIVE && da > 1)
		return 0;
	int32_t size = dl > da ? dl : da;
	if (size <= 0)
		return 0;
	size--;
	if (e->fin_seen && size != 0)
		size--;
	return (uint64_t)size;
}

/* The history matches /^\^?S[^HAFGIQ]*R.*$/ (a SYN, then a RST, with no
 * sign of an answer from the originator's side in between). */
static bool
syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h && !strchr("HAFGIQ", *h); h++)
		if (*h == 'R')
			return true;
	return false;
}

enum tfe_zeek_conn_state
tfe_zeek_state_of(const struct tfe_zeek *z)
{
	const struct tfe_zeek_ep *o = z->orig ? &z->ep[1] : &z->ep[0];
	const struct tfe_zeek_ep *r = z->orig ? &z->ep[0] : &z->ep[1];
	uint8_t os = o->state, rs = r->state;
	bool o_inactive = os == TFE_ZK_INACTIVE || os == TFE_ZK_PARTIAL;
	bool r_inactive = rs == TFE_ZK_INACTIVE || rs == TFE_ZK_PARTIAL;

	/* the order of the tests is Zeek's */
	if (rs == TFE_ZK_RESET) {
		if (os == TFE_ZK_SYN_SENT || os == TFE_ZK_SYN_ACK_SENT ||
		    (os == TFE_ZK_RESET && size_of(o, r) == 0 &&
		     size_of(r, o) == 0))
			return TFE_ZCS_REJ;
		return o_inactive ? TFE_ZCS_RSTRH : TFE_ZCS_RSTR;
	}
	if (os == TFE_ZK_RESET) {
		if (r_inactive)
			return syn_then_rst(tfe_zeek_history_of(z)) ?
			       TFE_ZCS_RSTOS0 : TFE_ZCS_OTH;
		return TFE_ZCS_RSTO;
	}
	if (rs == TFE_ZK_CLOSED && os == TFE_ZK_CLOSED)
		return TFE_ZCS_SF;
	if (os == TFE_ZK_CLOSED)
		return r_inactive ? TFE_ZCS_SH : TFE_ZCS_S2;
	if (rs == TFE_ZK_CLOSED)
		return o_inactive ? TFE_ZCS_SHR : TFE_ZCS_S3;
	if (os == TFE_ZK_SYN_SENT && rs == TFE_ZK_INACTIVE)
		return TFE_ZCS_S0;
	if (os == TFE_ZK_ESTABLISHED && rs == TFE_ZK_ESTABLISHED)
		return TFE_ZCS_S1;
	return TFE_ZCS_OTH;
}

const char *
tfe_zeek_conn_state(const struct tfe_conn *c)
{
	return tfe_zeek_conn_state_names[tfe_zeek_state_of(&c->zeek)];
}

const char *
tfe_zeek_history(const struct tfe_conn *c)
{
	return tfe_zeek_history_of(&c->zeek);
}

unsigned
tfe_wireshark_completeness(const struct tfe_conn *c)
{
	return c->zeek.completeness;
}
