# shellcheck shell=bash
# scenarios.sh: one function per capture, sourced by run-all.sh after
# lib.sh.  Each function makes pcaps/<name>.pcap and <name>.truth and
# ends with checks that the capture really shows the scenario.
#
# Conventions: the server listens on $PORT; sync names ("listening",
# "go"...) order the two hosts; every "snap" is a snapshot of ss in both
# namespaces.  Every scenario is captured at three places at once: the
# client's end (NAME.pcap), the server's end (NAME.server.pcap) and the
# router's client-side interface (NAME.router.pcap).  The router-*
# scenarios and simultaneous-open and -close delay or drop segments on
# the router's forwarding path (NFQUEUE in its FORWARD chain); the
# others, older, act inside the receiving host's namespace.

# shellcheck disable=SC2034
SCENARIOS=(
	close-client-first
	close-server-first
	close-ipv6
	rst-closed-port
	rst-closed-port-v6
	close-wait-lingering
	close-wait-late-close
	half-close
	lost-final-ack
	time-wait-reconnect
	time-wait-server-restart
	time-wait-server-restart-reuseaddr
	keepalive
	keepalive-dead-peer
	zero-window
	abort-linger0
	abort-unread-data
	simultaneous-close
	simultaneous-open
	syn-unanswered
	synack-lost
	listen-backlog-full
	listen-overflow-ignored
	listen-overflow-abort
	mss-mismatch
	no-options
	router-delay-100ms
	router-fin-lost
	router-final-ack-lost
	router-synack-lost
	router-one-direction
	router-reject-reset
	keepalive-race
	mss-tiny
	syn-to-close-wait
	idle-timeout-reset
	idle-timeout-drop
	router-icmp-unreachable
	router-icmp6-prohibited
	router-icmp-too-big
)

# Scenarios whose timing can go wrong get more than one try.
# shellcheck disable=SC2034
# lost-final-ack's LAST-ACK lasts one RTO (about 200 ms): on a busy
# machine the snapshot can come too late.
declare -A ATTEMPTS=(
	[simultaneous-close]=3
	[simultaneous-open]=3
	[lost-final-ack]=3
)

FIN='tcp[tcpflags] & tcp-fin != 0'
RST='tcp[tcpflags] & tcp-rst != 0'
SYN_ONLY='tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'
SYNACK='tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)'

# A listening server that answers one request and then waits for the
# client's FIN; the caller adds what happens after that.
server_listen() {
	local addr=$1
	printf '%s\n' socket "$2" reuseaddr bind "$addr" "$PORT" listen 5 \
		signal listening
}

# One FIN from each host and no RST, at each of the three capture points.
check_fins_everywhere() {
	local v
	for v in client server router; do
		check_at "$v" "client FIN" "src $C4 and $FIN" 1 1
		check_at "$v" "server FIN" "src $S4 and $FIN" 1 1
		check_at "$v" "no RST" "$RST" 0 0
	done
}

sc_close_client_first() {
	begin close-client-first client \
		"client sends a request, reads the reply and closes first; server closes 0.2 s after reading EOF"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof snap "server read EOF" sleep 0.2 close \
		snap "server closed"
	on client wait listening socket inet connect "$S4" "$PORT" \
		snap "client connected" send 100 recv 200 close \
		snap "client closed" sleep 0.1 snap "100 ms after the client's close"
	wait_bg
	snap "both done"
	end
	check "client FIN" "src $C4 and $FIN" 1 1
	check "server FIN" "src $S4 and $FIN" 1 1
	check "no RST" "$RST" 0 0
	check_truth "server CLOSE-WAIT" "^ss CLOSE-WAIT 0 0 $S4:$PORT"
	check_truth "client FIN-WAIT-2" "^ss FIN-WAIT-2 0 0 $C4:"
	check_truth "client TIME-WAIT" "^ss TIME-WAIT 0 0 $C4:"
}

sc_close_server_first() {
	begin close-server-first client \
		"server answers one request and closes first; client closes 0.2 s after reading EOF"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 close \
		snap "server closed" sleep 0.1 snap "100 ms after the server's close"
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 100 recv_to_eof snap "client read EOF" sleep 0.2 close \
		snap "client closed"
	wait_bg
	snap "both done"
	end
	check "server FIN" "src $S4 and $FIN" 1 1
	check "client FIN" "src $C4 and $FIN" 1 1
	check_truth "client CLOSE-WAIT" "^ss CLOSE-WAIT 0 0 $C4:"
	check_truth "server FIN-WAIT-2" "^ss FIN-WAIT-2 0 0 $S4:$PORT"
	check_truth "server TIME-WAIT" "^ss TIME-WAIT 0 0 $S4:$PORT"
}

sc_close_ipv6() {
	begin close-ipv6 client \
		"as close-client-first, over IPv6"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S6" inet6) accept recv 100 send 200 \
		recv_to_eof snap "server read EOF" sleep 0.2 close \
		snap "server closed"
	on client wait listening socket inet6 connect "$S6" "$PORT" \
		snap "client connected" send 100 recv 200 close \
		snap "client closed" sleep 0.1 snap "100 ms after the client's close"
	wait_bg
	snap "both done"
	end
	check "IPv6 only" "ip6" 8
	check_tshark "client FIN" "ipv6.src == $C6 && tcp.flags.fin == 1" 1 1
	check_tshark "server FIN" "ipv6.src == $S6 && tcp.flags.fin == 1" 1 1
	check_truth "client TIME-WAIT" "^ss TIME-WAIT 0 0 \[$C6\]:"
}

sc_rst_closed_port() {
	begin rst-closed-port client \
		"client connects to a port where nothing listens; the server's kernel answers RST"
	snap "nothing listens on $PORT"
	on client socket inet connect "$S4" "$PORT" snap "client refused" close
	end
	check "SYN" "src $C4 and $SYN_ONLY" 1 1
	check "RST+ACK from server" "src $S4 and $RST" 1 1
	check_truth "ECONNREFUSED" "connect\(.*\) = -1 ECONNREFUSED"
}

sc_rst_closed_port_v6() {
	begin rst-closed-port-v6 client \
		"as rst-closed-port, over IPv6"
	snap "nothing listens on $PORT"
	on client socket inet6 connect "$S6" "$PORT" snap "client refused" close
	end
	check_tshark "SYN" "ipv6.src == $C6 && tcp.flags.syn == 1 && tcp.flags.ack == 0" 1 1
	check_tshark "RST from server" "ipv6.src == $S6 && tcp.flags.reset == 1" 1 1
	check_truth "ECONNREFUSED" "connect\(.*\) = -1 ECONNREFUSED"
}

sc_close_wait_lingering() {
	begin close-wait-lingering client \
		"client closes; the server never closes before the capture ends, so it stays in CLOSE-WAIT (it closes only after the capture stopped)"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof snap "server read EOF, does not close" \
		wait capture-done close
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 100 recv 200 close snap "client closed"
	sleep 1.5
	snap "1.5 s after the client's close"
	end
	check "client FIN" "src $C4 and $FIN" 1 1
	check "no server FIN" "src $S4 and $FIN" 0 0
	check_truth "server CLOSE-WAIT at the end" "^ss CLOSE-WAIT 0 0 $S4:$PORT"
}

sc_close_wait_late_close() {
	begin close-wait-late-close client \
		"client closes; the server reads EOF but closes only 6 s later (past the 5 s CLOSE_WAIT threshold)"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof snap "server read EOF" sleep 6 close \
		snap "server closed 6 s later"
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 100 recv 200 close snap "client closed"
	sleep 3
	snap "3 s after the client's close"
	wait_bg
	end
	check "client FIN" "src $C4 and $FIN" 1 1
	check "server FIN" "src $S4 and $FIN" 1 1
	check_truth "server CLOSE-WAIT" "^ss CLOSE-WAIT 0 0 $S4:$PORT"
	check_truth "client TIME-WAIT after the late FIN" "^ss TIME-WAIT 0 0 $C4:"
}

sc_half_close() {
	begin half-close client \
		"client sends a request and shuts down its sending side (SHUT_WR); the server reads EOF, keeps sending 8000 bytes in two parts, then closes"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv_to_eof \
		snap "server read EOF, still sending" send 5000 sleep 0.3 \
		send 3000 sleep 0.2 close snap "server closed"
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 1000 shutdown wr snap "client half-closed" recv 5000 \
		snap "client received 5000 bytes while half-closed" \
		recv_to_eof snap "client read EOF" close snap "client closed"
	wait_bg
	end
	check "client FIN" "src $C4 and $FIN" 1 1
	check "server data after client FIN" "src $S4 and tcp[tcpflags] & tcp-fin == 0 and greater 100" 3
	check_truth "client FIN-WAIT-2 while receiving" "^ss FIN-WAIT-2 0 0 $C4:"
	check_truth "client read the rest" "recv_to_eof\(\) = 3000 EOF"
}

sc_lost_final_ack() {
	begin lost-final-ack client \
		"client closes first; the client's final ACK of the server's FIN is dropped in the server's INPUT (nfq drop #1), so the server re-sends its FIN from LAST-ACK and the client re-ACKs from TIME-WAIT. Capture on the client side: it shows the ACK the server never got"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof signal got-eof wait armed close \
		snap "server closed (final ACK will be dropped)" sleep 0.1 \
		snap "100 ms later" sleep 1 snap "after the FIN retransmission"
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 100 recv 200 close snap "client closed"
	sync_wait got-eof
	nfq server 0 -x 1
	ipt server -A INPUT -p tcp -s "$C4" --tcp-flags ALL ACK -j NFQUEUE --queue-num 0
	sync_signal armed
	wait_bg
	end
	check "server FIN sent twice" "src $S4 and $FIN" 2 2
	check "client ACKs after FINs" "src $C4 and tcp[tcpflags] == tcp-ack" 2
	check_truth "nfq dropped the final ACK" "^nfq .* #1 .*\[\.\] .* drop$"
	check_truth "server LAST-ACK" "^ss LAST-ACK 0 1 $S4:$PORT"
}

sc_time_wait_reconnect() {
	begin time-wait-reconnect client \
		"server closes first and holds TIME-WAIT; the client binds the same port 40000 again (SO_REUSEADDR) and connects at once; the server's kernel accepts the SYN into the TIME-WAIT pair (higher sequence number and timestamp)"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 100 \
		close snap "server closed first" use 0 accept \
		snap "server accepted the reconnect" recv 100 send 100 \
		recv_to_eof close
	on client wait listening socket inet reuseaddr bind "$C4" 40000 \
		connect "$S4" "$PORT" send 100 recv 100 recv_to_eof close \
		snap "client closed, server TIME-WAIT" \
		socket inet reuseaddr bind "$C4" 40000 connect "$S4" "$PORT" \
		snap "reconnected from port 40000" send 100 recv 100 close \
		snap "client closed again"
	wait_bg
	end
	check "two SYNs from port 40000" "src $C4 and src port 40000 and $SYN_ONLY" 2 2
	check "two SYN-ACKs" "src $S4 and $SYNACK" 2 2
	check "no RST" "$RST" 0 0
	check_truth "server TIME-WAIT before reconnect" "^ss TIME-WAIT 0 0 $S4:$PORT $C4:40000"
}

sc_time_wait_server_restart() {
	begin time-wait-server-restart client \
		"server (no SO_REUSEADDR) closes first, holds TIME-WAIT on port $PORT, closes its listener and restarts: bind fails with EADDRINUSE, with and without SO_REUSEADDR on the new socket"
	bg server socket inet bind "$S4" "$PORT" listen 5 signal listening \
		accept recv 100 send 100 close use 0 close \
		snap "server closed connection and listener" wait client-done \
		socket inet bind "$S4" "$PORT" snap "restart without SO_REUSEADDR" \
		close socket inet reuseaddr bind "$S4" "$PORT" \
		snap "restart with SO_REUSEADDR on the new socket only" close
	on client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 100 recv_to_eof close signal client-done
	wait_bg
	end
	check "server FIN first" "src $S4 and $FIN" 1 1
	check_truth "bind EADDRINUSE" "bind\($S4:$PORT\) = -1 EADDRINUSE"
	check_truth "server TIME-WAIT" "^ss TIME-WAIT 0 0 $S4:$PORT"
}

sc_time_wait_server_restart_reuseaddr() {
	begin time-wait-server-restart-reuseaddr client \
		"as time-wait-server-restart, but both the old and the new listener set SO_REUSEADDR: bind succeeds while the TIME-WAIT pair exists and a new client connection is served"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 100 close \
		use 0 close snap "server closed connection and listener" \
		wait client-done socket inet reuseaddr bind "$S4" "$PORT" \
		listen 5 snap "restarted with SO_REUSEADDR" signal relistening \
		accept recv 100 send 100 recv_to_eof close
	on client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 100 recv_to_eof close signal client-done wait relistening \
		socket inet connect "$S4" "$PORT" send 100 recv 100 close \
		snap "second connection closed"
	wait_bg
	end
	check "two SYN-ACKs" "src $S4 and $SYNACK" 2 2
	check_truth "bind succeeded" "s2.bind\($S4:$PORT\) = 0"
	check_truth "server TIME-WAIT beside the new LISTEN" "^ss TIME-WAIT 0 0 $S4:$PORT"
}

sc_keepalive() {
	begin keepalive client \
		"client sets SO_KEEPALIVE with TCP_KEEPIDLE=1 TCP_KEEPINTVL=1 TCP_KEEPCNT=3 and stays idle 3.5 s; each probe is answered"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 10 recv_to_eof close
	on client wait listening socket inet keepalive 1 1 3 \
		connect "$S4" "$PORT" send 10 snap "client idle, keepalive armed" \
		sleep 1.5 snap "after the first probe" sleep 2 \
		snap "3.5 s idle" close
	wait_bg
	end
	check_tshark "keep-alive probes" "tcp.analysis.keep_alive && ip.src == $C4" 3
	check_tshark "probe answers" "tcp.analysis.keep_alive_ack && ip.src == $S4" 3
	check_truth "keepalive timer in ss" "^ss ESTAB .* timer:\(keepalive"
}

sc_keepalive_dead_peer() {
	begin keepalive-dead-peer client \
		"client keepalive (idle 1 s, interval 1 s, 2 probes); after the exchange the server's namespace drops everything from the client (iptables DROP in INPUT), so the probes go unanswered and the client's kernel gives up with ETIMEDOUT and sends RST"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 10 send 10 \
		wait capture-done close
	bg client wait listening socket inet keepalive 1 1 2 \
		connect "$S4" "$PORT" send 10 recv 10 signal exchanged \
		recv_to_eof snap "client read failed" close
	sync_wait exchanged
	ipt server -A INPUT -s "$C4" -j DROP
	sleep 1.5
	snap "probing"
	wait "${HOST_PIDS[-1]}"
	snap "client gave up"
	end
	check_tshark "unanswered probes" "tcp.analysis.keep_alive && ip.src == $C4" 2 2
	check "client RST" "src $C4 and $RST" 1 1
	check_truth "ETIMEDOUT" "recv_to_eof\(\) = -1 ETIMEDOUT"
	check_truth "server still ESTAB" "^ss ESTAB 0 0 $S4:$PORT"
}

sc_zero_window() {
	begin zero-window client \
		"server sets SO_RCVBUF=4096 on its listener and stops reading for 1.5 s; the client writes 40000 bytes (SO_SNDBUF=8192), fills the window and probes the zero window until the server reads again"
	bg server socket inet reuseaddr rcvbuf 4096 bind "$S4" "$PORT" \
		listen 5 signal listening accept sleep 1.5 \
		snap "reader stalled" recv_to_eof close
	on client wait listening socket inet sndbuf 8192 connect "$S4" "$PORT" \
		send 40000 snap "writer done" close
	wait_bg
	end
	check_tshark "zero window" "tcp.analysis.zero_window && ip.src == $S4" 1
	# Linux probes a zero window with a bare ACK one below snd_una (like
	# a keep-alive), not with one byte, so Wireshark calls it Keep-Alive.
	check_tshark "zero window probes" "tcp.analysis.keep_alive && ip.src == $C4 && tcp.len == 0" 1
	check_truth "full receive queue" "^ss ESTAB [1-9][0-9]* 0 $S4:$PORT"
}

sc_abort_linger0() {
	begin abort-linger0 client \
		"client sends 100 bytes, sets SO_LINGER {1,0} and closes: the kernel sends RST instead of FIN"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv_to_eof \
		snap "server read reset" close
	on client wait listening socket inet connect "$S4" "$PORT" send 100 \
		sleep 0.1 linger 1 0 close snap "client aborted"
	wait_bg
	end
	check "client RST" "src $C4 and $RST" 1 1
	check "no FIN" "$FIN" 0 0
	check_truth "ECONNRESET" "recv_to_eof\(\) = -1 ECONNRESET"
}

sc_abort_unread_data() {
	begin abort-unread-data client \
		"client sends 1000 bytes the server never reads; the server closes with them unread, so its kernel sends RST (RFC 2525 2.17) and the client's read fails"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept sleep 0.3 \
		snap "1000 bytes unread" close snap "server closed"
	on client wait listening socket inet connect "$S4" "$PORT" send 1000 \
		recv_to_eof snap "client read reset" close
	wait_bg
	end
	check "server RST" "src $S4 and $RST" 1 1
	check "no FIN" "$FIN" 0 0
	check_truth "ECONNRESET" "recv_to_eof\(\) = -1 ECONNRESET"
}

sc_simultaneous_close() {
	begin simultaneous-close client \
		"both hosts close() at the same moment (sync file 'go') with 100 ms each way on the router (every forwarded TCP segment held 100 ms in its FORWARD chain, nfq): each FIN is still on its way when the other host closes, so the FINs cross on the wire and both go FIN-WAIT-1 -> CLOSING -> TIME-WAIT"
	nfq router 0 -d 100
	ipt router -A FORWARD -p tcp -j NFQUEUE --queue-num 0
	note "every forwarded TCP segment is held 100 ms on the router; RTO (>= 200 ms plus the round trip) is not reached"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 100 \
		signal server-ready wait go close snap "server closed"
	bg client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 100 signal client-ready wait go close snap "client closed"
	sync_wait server-ready
	sync_wait client-ready
	sync_signal go
	sleep 0.05
	snap "50 ms after both closed"
	sleep 0.1
	snap "150 ms after both closed"
	sleep 0.3
	snap "both done"
	wait_bg
	end
	check_fins_everywhere
	check_crossing "FINs cross" fin
	check_truth "both CLOSING" "^ss CLOSING [0-9]+ 1 $S4:$PORT"
	check_truth "both TIME-WAIT" "^ss TIME-WAIT 0 0 $S4:$PORT"
}

sc_simultaneous_open() {
	begin simultaneous-open client \
		"no listener: both hosts bind fixed ports (client 40001, server 40002) and connect() to each other at the same moment (sync file 'go') with 100 ms each way on the router (every forwarded TCP segment held 100 ms in its FORWARD chain, nfq): each SYN is still on its way when the other host connects, so the SYNs cross and both go SYN-SENT -> SYN-RECV -> ESTABLISHED"
	nfq router 0 -d 100
	ipt router -A FORWARD -p tcp -j NFQUEUE --queue-num 0
	note "every forwarded TCP segment is held 100 ms on the router (SYN RTO is 1 s)"
	bg server socket inet bind "$S4" 40002 signal server-ready wait go \
		connect_nb "$C4" 40001 snap "server SYN sent" await_connect 2 \
		snap "server connected" recv 100 send 100 recv_to_eof close
	bg client socket inet bind "$C4" 40001 signal client-ready wait go \
		connect_nb "$S4" 40002 snap "client SYN sent" await_connect 2 \
		snap "client connected" send 100 recv 100 close \
		snap "client closed"
	sync_wait server-ready
	sync_wait client-ready
	sync_signal go
	# Between the SYNs' arrival (+100 ms) and the SYN-ACKs' (+200 ms)
	# both sockets sit in SYN-RECV.
	sleep 0.15
	snap "SYNs taken in, SYN-ACKs on their way"
	wait_bg
	sleep 0.3
	snap "both done"
	end
	local v
	for v in client server router; do
		check_at "$v" "two bare SYNs" "$SYN_ONLY" 2 2
		check_at "$v" "two SYN-ACKs" "$SYNACK" 2 2
	done
	check_crossing "SYNs cross" syn
	check_truth "SYN-RECV on both sides" "^ss SYN-RECV 0 1 $S4:40002"
	check_truth "client connected" "s0.await_connect\(\) = 0"
	check_truth "SYN-SENT" "^ss SYN-SENT 0 1 $C4:40001"
}

sc_syn_unanswered() {
	begin syn-unanswered client \
		"the server's namespace drops the client's SYNs (iptables DROP in INPUT); TCP_SYNCNT=2 and tcp_syn_linear_timeouts=0 so the client re-sends at 1 s and 3 s and connect() fails with ETIMEDOUT at 7 s"
	sysctl_set client net.ipv4.tcp_syn_linear_timeouts 0
	ipt server -A INPUT -p tcp -s "$C4" --syn -j DROP
	bg client socket inet syncnt 2 connect "$S4" "$PORT" close
	sleep 0.5
	snap "SYN unanswered"
	wait_bg
	snap "client gave up"
	end
	check "three SYNs" "src $C4 and $SYN_ONLY" 3 3
	check "no answer" "src $S4" 0 0
	check_truth "ETIMEDOUT" "connect\(.*\) = -1 ETIMEDOUT"
	check_truth "SYN-SENT with retransmit timer" "^ss SYN-SENT 0 1 $C4:.* timer:\(on"
}

sc_synack_lost() {
	begin synack-lost client \
		"the client's namespace drops every SYN-ACK (iptables DROP in INPUT), so the client keeps re-sending SYN (1 s, 3 s; TCP_SYNCNT=2, linear timeouts off) and the server re-sends SYN-ACK from SYN-RECV; connect() fails with ETIMEDOUT. Capture on the client side: the SYN-ACKs are on the wire, the client's TCP never saw them"
	sysctl_set client net.ipv4.tcp_syn_linear_timeouts 0
	ipt client -A INPUT -p tcp -s "$S4" --tcp-flags SYN,ACK SYN,ACK -j DROP
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) wait capture-done close
	on client wait listening socket inet syncnt 2 connect_nb "$S4" "$PORT" \
		snap "SYN sent" sleep 0.5 snap "SYN-ACK dropped" \
		await_connect 8 snap "client gave up" close
	end
	check "three SYNs" "src $C4 and $SYN_ONLY" 3 3
	check "SYN-ACKs on the wire" "src $S4 and $SYNACK" 3
	check_truth "ETIMEDOUT" "await_connect\(\) = -1 ETIMEDOUT"
	check_truth "server SYN-RECV" "^ss SYN-RECV 0 0 $S4:$PORT"
}

sc_listen_backlog_full() {
	begin listen-backlog-full client \
		"server listen(fd, 0) and never accepts; three clients connect 0.1 s apart: the first completes into the accept queue, then the queue is full and the server's kernel drops the other SYNs, which are re-sent"
	bg server socket inet reuseaddr bind "$S4" "$PORT" listen 0 \
		signal listening wait capture-done close
	on client wait listening socket inet connect_nb "$S4" "$PORT" sleep 0.1 \
		socket inet connect_nb "$S4" "$PORT" sleep 0.1 \
		socket inet connect_nb "$S4" "$PORT" snap "three connects" \
		sleep 2.5 snap "2.7 s later" use 0 await_connect 0.1 \
		use 1 await_connect 0.1 use 2 await_connect 0.1 \
		use 0 close use 1 close use 2 close
	counters server TcpExtListenOverflows TcpExtListenDrops
	end
	check "first SYN-ACK only for one client" "src $S4 and $SYNACK" 1
	check "SYNs re-sent" "src $C4 and $SYN_ONLY" 5
	check_truth "LISTEN with a full queue" "^ss LISTEN 1 0 $S4:$PORT"
	check_truth "overflow counted" "^counter .* TcpExtListenOverflows [1-9]"
}

# listen_overflow SYSCTL: the accept queue overflows under a connection
# whose SYN was taken: listen(1) (the accept queue holds two), client s0
# completes; client s1 (port 40001) gets its SYN+ACK but the router drops
# its handshake ACK; client s2 completes; the queue is full when s1's
# request arrives.
listen_overflow() {
	local abort=$1
	sysctl_set server net.ipv4.tcp_abort_on_overflow "$abort"
	nfq router 0 -x 1
	ipt router -A FORWARD -p tcp -s "$C4" --sport 40001 \
		--tcp-flags SYN,ACK,FIN,RST,PSH ACK -m length --length 40:64 \
		-j NFQUEUE --queue-num 0
	bg server socket inet reuseaddr bind "$S4" "$PORT" listen 1 \
		signal listening wait capture-done close
	on client wait listening socket inet connect "$S4" "$PORT" \
		socket inet bind "$C4" 40001 connect_nb "$S4" "$PORT" sleep 0.05 \
		socket inet connect_nb "$S4" "$PORT" sleep 0.05 \
		use 1 await_connect 1 send 100 snap "request sent" sleep 3.6 \
		snap "3.6 s later" use 0 close use 1 close use 2 close
	counters server TcpExtListenOverflows TcpExtListenDrops TcpExtSyncookiesSent
}

sc_listen_overflow_ignored() {
	begin listen-overflow-ignored client \
		"server listen(fd, 1), never accepts, tcp_abort_on_overflow=0; client port 40001's handshake ACK is dropped on the router, two other connections fill the accept queue, so its request and its ACKs are ignored: the server keeps re-sending its SYN+ACK from the SYN queue and the client re-sends the request"
	listen_overflow 0
	end
	check "SYN+ACK re-sent to port 40001" "src $S4 and dst port 40001 and $SYNACK" 3
	check "request re-sent" "src $C4 and src port 40001 and tcp[tcpflags] & tcp-push != 0" 2
	check "no RST" "$RST" 0 0
	check_truth "handshake ACK dropped" "^nfq .* router #1 .*40001.* drop"
	check_truth "overflow counted" "^counter .* TcpExtListenOverflows [1-9]"
}

sc_listen_overflow_abort() {
	begin listen-overflow-abort client \
		"as listen-overflow-ignored with tcp_abort_on_overflow=1: the server answers the request of client port 40001, which arrives with the accept queue full, with RST"
	listen_overflow 1
	end
	check "one SYN+ACK to port 40001" "src $S4 and dst port 40001 and $SYNACK" 1 1
	check "RST to port 40001" "src $S4 and dst port 40001 and $RST" 1 1
	check_truth "handshake ACK dropped" "^nfq .* router #1 .*40001.* drop"
	check_truth "overflow counted" "^counter .* TcpExtListenOverflows [1-9]"
}

sc_mss_mismatch() {
	begin mss-mismatch client \
		"server sets TCP_MAXSEG=1000 on its listener (SYN-ACK MSS 1000), the client announces 1460; 5000 bytes each way, so every segment carries at most 1000 bytes"
	bg server socket inet reuseaddr maxseg 1000 bind "$S4" "$PORT" \
		listen 5 signal listening accept recv 5000 send 5000 \
		recv_to_eof close
	on client wait listening socket inet connect "$S4" "$PORT" \
		snap "connected" send 5000 recv 5000 close
	wait_bg
	end
	check_tshark "client MSS 1460" "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mss_val == 1460" 1 1
	check_tshark "server MSS 1000" "tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.options.mss_val == 1000" 1 1
	check_tshark "no segment above 1000" "tcp.len > 1000" 0 0
	check_tshark "full-sized segments" "tcp.len > 900" 8
}

sc_no_options() {
	begin no-options client \
		"tcp_timestamps, tcp_sack and tcp_window_scaling set to 0 in both namespaces: the SYN and SYN-ACK carry only MSS (Linux always sends MSS)"
	local host
	for host in client server; do
		sysctl_set "$host" net.ipv4.tcp_timestamps 0
		sysctl_set "$host" net.ipv4.tcp_sack 0
		sysctl_set "$host" net.ipv4.tcp_window_scaling 0
	done
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof close
	on client wait listening socket inet connect "$S4" "$PORT" \
		snap "connected" send 100 recv 200 close snap "client closed"
	wait_bg
	end
	check_tshark "no TS/SACK/WS anywhere" "tcp.options.timestamp.tsval || tcp.options.sack_perm || tcp.options.wscale.shift || tcp.options.sack" 0 0
	check_tshark "MSS in SYN and SYN-ACK" "tcp.flags.syn == 1 && tcp.options.mss_val" 2 2
}

# The router-* scenarios: what happens on the path between the hosts.

sc_router_delay_100ms() {
	begin router-delay-100ms client \
		"as close-client-first, with 100 ms each way on the router: every forwarded TCP segment is held 100 ms in the router's FORWARD chain (nfq), so each end sees the other's segments 100 ms after they left, and the router's capture (client-side interface) sees the client's segments before the delay and the server's after it"
	nfq router 0 -d 100
	ipt router -A FORWARD -p tcp -j NFQUEUE --queue-num 0
	snap_every 0.02
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept snap "server accepted" \
		recv 100 send 200 recv_to_eof snap "server read EOF" close \
		snap "server closed" sleep 0.1 snap "100 ms after the server's close"
	on client wait listening socket inet connect "$S4" "$PORT" \
		snap "client connected" send 100 recv 200 close \
		snap "client closed" sleep 0.1 snap "100 ms after the client's close"
	wait_bg
	sleep 0.3
	snap_every_stop
	snap "both done"
	end
	check_fins_everywhere
	check_truth "segments held on the router" "^nfq .* router #1 .* delay=100ms$"
	check_truth "client TIME-WAIT" "^ss TIME-WAIT 0 0 $C4:"
}

sc_router_fin_lost() {
	begin router-fin-lost client \
		"client closes first; the server ACKs the client's FIN, closes 0.2 s later, and its FIN is dropped on the router (FORWARD, nfq drop #1 of the server's FINs), so the client stays FIN-WAIT-2 while the server sits in LAST-ACK until its RTO (rto_min 1.5 s on its route) re-sends the FIN; the client ACKs that one and goes TIME-WAIT. The server's end sees both FINs, the router's capture (downstream of the loss) and the client's end only the second"
	rto_min server 1500ms
	nfq router 0 -x 1
	ipt router -A FORWARD -p tcp -s "$S4" --tcp-flags FIN FIN -j NFQUEUE --queue-num 0
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof sleep 0.2 close \
		snap "server closed (its FIN is lost on the router)" \
		sleep 0.5 snap "500 ms later" sleep 1.5 \
		snap "after the FIN retransmission"
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 100 recv 200 close snap "client closed"
	wait_bg
	end
	check_at server "server FIN sent twice" "src $S4 and $FIN" 2 2
	check_at router "server FIN once past the router" "src $S4 and $FIN" 1 1
	check "server FIN once at the client" "src $S4 and $FIN" 1 1
	check "client FIN" "src $C4 and $FIN" 1 1
	check_truth "nfq dropped the server's FIN" "^nfq .* router #1 $S4\\.$PORT > .* \\[FP?\\.\\] .* drop$"
	check_truth "client FIN-WAIT-2 while the FIN is lost" "^ss FIN-WAIT-2 0 0 $C4:"
	check_truth "server LAST-ACK" "^ss LAST-ACK 0 1 $S4:$PORT"
	check_truth "client TIME-WAIT after the second FIN" "^ss TIME-WAIT 0 0 $C4:"
}

sc_router_final_ack_lost() {
	begin router-final-ack-lost client \
		"as lost-final-ack, with the loss on the router: the client's final ACK of the server's FIN is dropped in the router's FORWARD chain (nfq drop #1), so the server re-sends its FIN from LAST-ACK (rto_min 1.5 s on its route) and the client re-ACKs from TIME-WAIT. The client's end and the router's capture (upstream of the loss) show the lost ACK; the server's end does not"
	rto_min server 1500ms
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof signal got-eof wait armed close \
		snap "server closed (the final ACK is lost on the router)" \
		sleep 0.5 snap "500 ms later" sleep 1.5 \
		snap "after the FIN retransmission"
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 100 recv 200 close snap "client closed"
	sync_wait got-eof
	nfq router 0 -x 1
	ipt router -A FORWARD -p tcp -s "$C4" --tcp-flags ALL ACK -j NFQUEUE --queue-num 0
	sync_signal armed
	wait_bg
	end
	local v
	for v in client server router; do
		check_at "$v" "server FIN sent twice" "src $S4 and $FIN" 2 2
	done
	check "client bare ACKs after both FINs" "src $C4 and tcp[tcpflags] == tcp-ack" 2
	check_at router "client bare ACKs after both FINs" "src $C4 and tcp[tcpflags] == tcp-ack" 2
	check_truth "nfq dropped the final ACK" "^nfq .* router #1 $C4\\.[0-9]+ > .* \\[\\.\\] .* drop$"
	check_truth "server LAST-ACK" "^ss LAST-ACK 0 1 $S4:$PORT"
	check_truth "client TIME-WAIT" "^ss TIME-WAIT 0 0 $C4:"
}

sc_router_synack_lost() {
	begin router-synack-lost client \
		"the server's first SYN-ACK is dropped on the router (FORWARD, nfq drop #1); the client re-sends its SYN and the server its SYN-ACK after about 1 s, the second SYN-ACK gets through, and a normal exchange and close follow. Only the server's end sees the lost SYN-ACK"
	nfq router 0 -x 1
	ipt router -A FORWARD -p tcp -s "$S4" --tcp-flags SYN,ACK SYN,ACK -j NFQUEUE --queue-num 0
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept snap "server accepted" \
		recv 100 send 200 recv_to_eof close
	on client wait listening socket inet connect_nb "$S4" "$PORT" \
		snap "SYN sent" sleep 0.5 snap "SYN-ACK lost on the router" \
		await_connect 3 snap "client connected" send 100 recv 200 \
		close snap "client closed"
	wait_bg
	end
	check_at server "SYN-ACK sent more than once" "src $S4 and $SYNACK" 2
	check "SYN re-sent" "src $C4 and $SYN_ONLY" 2
	check_truth "nfq dropped the SYN-ACK" "^nfq .* router #1 $S4\\.$PORT > .* \\[S\\.\\] .* drop$"
	check_truth "server SYN-RECV" "^ss SYN-RECV 0 0 $S4:$PORT"
	check_truth "client SYN-SENT" "^ss SYN-SENT 0 1 $C4:"
	check_truth "client connected" "await_connect\\(\\) = 0"
}

sc_router_one_direction() {
	# Only this scenario's router capture is one-directional.
	# shellcheck disable=SC2034
	ROUTER_DIRECTION=in
	begin router-one-direction client \
		"as close-client-first, but the router's capture keeps only what arrives from the client (tcpdump -Q in on veth-rc): the view of a capture point on one leg of an asymmetric route, which sees client to server only. The client's and the server's ends see both directions"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof snap "server read EOF" sleep 0.2 close \
		snap "server closed"
	on client wait listening socket inet connect "$S4" "$PORT" \
		snap "client connected" send 100 recv 200 close \
		snap "client closed" sleep 0.1 snap "100 ms after the client's close"
	wait_bg
	snap "both done"
	end
	check_at router "nothing from the server" "src $S4" 0 0
	check_at router "the client's side" "src $C4" 5
	check_at router "client FIN" "src $C4 and $FIN" 1 1
	check "server FIN" "src $S4 and $FIN" 1 1
	check_at server "server FIN" "src $S4 and $FIN" 1 1
}

sc_router_reject_reset() {
	begin router-reject-reset client \
		"after one request and its answer, the router starts rejecting the client's segments to the server with iptables REJECT --reject-with tcp-reset: the client's second request is answered by a RST the router sends in the server's name (TTL 64 at the client, where the server's packets arrive with 63 after one hop), the client's read fails with ECONNRESET, and the server's socket stays ESTABLISHED, never told"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		wait capture-done close
	bg client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 200 signal first-done wait rejecting send 100 recv_to_eof \
		snap "client reset" close
	sync_wait first-done
	ipt router -I FORWARD -p tcp -s "$C4" --dport "$PORT" \
		-j REJECT --reject-with tcp-reset
	sync_signal rejecting
	sleep 0.5
	snap "after the reset"
	end
	check "one RST" "$RST" 1 1
	check "RST in the server's name" "src $S4 and $RST" 1 1
	check "RST TTL 64 (the router's)" "src $S4 and $RST and ip[8] == 64" 1 1
	check_at server "no RST at the server" "$RST" 0 0
	check_truth "ECONNRESET" "recv_to_eof\(\) = -1 ECONNRESET"
	check_truth "server still ESTABLISHED" "^ss ESTAB 0 0 $S4:$PORT"
}

# The ICMP errors of the router-icmp-* scenarios, with the TCP: an error
# quoting TCP is not "tcp" to a capture filter.  No echo, no neighbour
# discovery (ICMPv6 types 128 and up).
ICMP_ERRORS='tcp or icmp[icmptype] == icmp-unreach or (icmp6 and ip6[40] < 128)'

sc_router_icmp_unreachable() {
	local LAB_FILTER=$ICMP_ERRORS
	begin router-icmp-unreachable client \
		"the router rejects the client's SYNs to the server with iptables REJECT --reject-with icmp-host-unreachable in its FORWARD chain, and holds its ICMP 5 ms (nfq in its OUTPUT chain) so that it reaches the client after connect() sleeps (one that comes while connect() still holds the socket lock, 60 us after the SYN on these veths, Linux keeps as a soft error and re-sends the SYN): the client's connect() fails at once with EHOSTUNREACH, no SYN is re-sent; the server sees nothing"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) wait capture-done close
	nfq router 0 -d 5
	ipt router -A OUTPUT -p icmp -j NFQUEUE --queue-num 0
	ipt router -A FORWARD -p tcp -s "$C4" --syn \
		-j REJECT --reject-with icmp-host-unreachable
	on client wait listening socket inet connect "$S4" "$PORT" \
		snap "client refused" close
	sleep 1.5
	snap "1.5 s later"
	end
	check "one SYN" "src $C4 and $SYN_ONLY" 1 1
	check "one ICMP host unreachable" "icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 1" 1 1
	check_at server "nothing at the server" "src $C4" 0 0
	check_truth "EHOSTUNREACH" "connect\(.*\) = -1 EHOSTUNREACH"
}

sc_router_icmp6_prohibited() {
	local LAB_FILTER=$ICMP_ERRORS
	begin router-icmp6-prohibited client \
		"as router-icmp-unreachable over IPv6, the router rejecting with ip6tables REJECT --reject-with icmp6-adm-prohibited (from its link-local address) and holding its ICMPv6 errors 5 ms: the client's connect() fails at once with EACCES"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S6" inet6) wait capture-done close
	nfq router 0 -d 5
	ipt router -6 -A OUTPUT -p ipv6-icmp --icmpv6-type destination-unreachable \
		-j NFQUEUE --queue-num 0
	ipt router -6 -A FORWARD -p tcp -s "$C6" --syn \
		-j REJECT --reject-with icmp6-adm-prohibited
	on client wait listening socket inet6 connect "$S6" "$PORT" \
		snap "client refused" close
	sleep 1.5
	snap "1.5 s later"
	end
	check_tshark "one SYN" "ipv6.src == $C6 && tcp.flags.syn == 1 && !icmpv6" 1 1
	check_tshark "one ICMPv6 administratively prohibited" "icmpv6.type == 1 && icmpv6.code == 1" 1 1
	check_truth "EACCES" "connect\(.*\) = -1 EACCES"
}

sc_router_icmp_too_big() {
	local LAB_FILTER=$ICMP_ERRORS
	begin router-icmp-too-big client \
		"the router's link to the server takes 1280 bytes (ip link set veth-rs mtu 1280 in its namespace): the client's 3000-byte request leaves in 1448-byte segments with DF set, the router answers the first with an ICMP fragmentation needed (next-hop MTU 1280), and the client's TCP re-sends the data in segments that fit (path MTU discovery); every call succeeds, a client-first close"
	in_ns "$(ns_of router)" ip link set dev veth-rs mtu 1280
	truth "link $(now) router veth-rs mtu 1280"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 3000 send 200 \
		recv_to_eof close
	on client wait listening socket inet connect "$S4" "$PORT" \
		send 3000 recv 200 close snap "client closed"
	wait_bg
	sleep 0.2
	end
	check "an ICMP fragmentation needed" "icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 4" 1
	check_at server "nothing over 1280 bytes at the server" "greater 1295" 0 0
	check_truth "the client's request sent" "send\(3000\) = 3000"
}

# The pair-* scenarios are made by pair-lab.sh for --pair (tests/pair/):
# not in SCENARIOS, since a NAT on the path gives the two ends different
# addresses for one connection, which the single-capture checks of
# pcaps/ do not expect.

# NAT_ADDR is the router's outside address in pair-nat-mss: the server
# sees the client there.  It is one more address inside the lab's subnet.
NAT_ADDR=10.231.0.3

sc_pair_nat_mss() {
	begin pair-nat-mss client \
		"the router rewrites the client's address and port (iptables SNAT to $NAT_ADDR, ports 40000-40099, in POSTROUTING), clamps the MSS of every SYN and SYN-ACK it forwards to 1200 (mangle FORWARD TCPMSS --set-mss 1200), and drops the client's first 100-byte request once in FORWARD (nfq drop #1): the client re-sends it after its RTO. The server's end sees the client as $NAT_ADDR with another port, MSS 1200 in the SYN, and the request once; the client's end sees MSS 1200 in the SYN-ACK and its request twice"
	local mac_rs
	mac_rs=$(in_ns "$NS_ROUTER" cat /sys/class/net/veth-rs/address)
	in_ns "$NS_SERVER" ip neigh replace "$NAT_ADDR" lladdr "$mac_rs" dev veth-s nud permanent
	truth "neighbour server $NAT_ADDR lladdr $mac_rs (the router)"
	ipt router -t nat -A POSTROUTING -o veth-rs -p tcp -s "$C4" \
		-j SNAT --to-source "$NAT_ADDR:40000-40099"
	ipt router -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN \
		-j TCPMSS --set-mss 1200
	nfq router 0 -x 1
	ipt router -A FORWARD -p tcp -s "$C4" --dport "$PORT" \
		-m length --length 140:200 -j NFQUEUE --queue-num 0
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof snap "server read EOF" close snap "server closed"
	on client wait listening socket inet connect "$S4" "$PORT" \
		snap "client connected" send 100 recv 200 close snap "client closed"
	wait_bg
	end
	check "client SYN" "src $C4 and tcp[tcpflags] == tcp-syn" 1 1
	check_at server "SYN from the NAT address" "src $NAT_ADDR and tcp[tcpflags] == tcp-syn" 1 1
	check_at server "nothing from the client's own address" "src $C4" 0 0
	check_at server "SYN MSS 1200 at the server" "src $NAT_ADDR and tcp[tcpflags] == tcp-syn and tcp[22:2] == 1200" 1 1
	check "SYN-ACK MSS 1200 at the client" "src $S4 and tcp[tcpflags] == tcp-syn|tcp-ack and tcp[22:2] == 1200" 1 1
	check "request sent twice" "src $C4 and greater 140 and less 200" 2 2
	check_at server "request received once" "src $NAT_ADDR and greater 140 and less 200" 1 1
	check_truth "nfq dropped the request" "^nfq .* router #1 $C4\\.[0-9]+ > .* drop$"
}

sc_pair_endpoint_reset() {
	begin pair-endpoint-reset client \
		"the near miss of a middlebox's reset: nothing on the router but forwarding; the client sends 100 bytes, sets SO_LINGER {1,0} and closes, so its own kernel sends the RST, which both ends see"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv_to_eof \
		snap "server read reset" close
	on client wait listening socket inet connect "$S4" "$PORT" send 100 \
		sleep 0.1 linger 1 0 close snap "client aborted"
	wait_bg
	end
	check "client RST" "src $C4 and $RST" 1 1
	check_at server "client RST at the server" "src $C4 and $RST" 1 1
	check "no FIN" "$FIN" 0 0
	check_truth "ECONNRESET" "recv_to_eof\(\) = -1 ECONNRESET"
}

sc_pair_reject_reset_v6() {
	begin pair-reject-reset-v6 client \
		"as router-reject-reset over IPv6: after one request and its answer, the router rejects the client's segments to the server with ip6tables REJECT --reject-with tcp-reset, so the client's second request is answered by a RST the router sends in the server's name (hop limit 64 at the client, where the server's packets arrive with 63); the server's socket stays ESTABLISHED"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S6" inet6) accept recv 100 send 200 \
		wait capture-done close
	bg client wait listening socket inet6 connect "$S6" "$PORT" send 100 \
		recv 200 signal first-done wait rejecting send 100 recv_to_eof \
		snap "client reset" close
	sync_wait first-done
	ipt router -6 -I FORWARD -p tcp -s "$C6" --dport "$PORT" \
		-j REJECT --reject-with tcp-reset
	sync_signal rejecting
	sleep 0.5
	snap "after the reset"
	end
	# tcp[] reads IPv4 only: the flags are byte 13 of the TCP header
	# right after the 40-byte IPv6 header
	local rst6='ip6[53] & 4 != 0'
	check "one RST" "$rst6" 1 1
	check "RST in the server's name" "src $S6 and $rst6" 1 1
	check "RST hop limit 64 (the router's)" "src $S6 and $rst6 and ip6[7] == 64" 1 1
	check_at server "no RST at the server" "$rst6" 0 0
	check_truth "ECONNRESET" "recv_to_eof\(\) = -1 ECONNRESET"
}

sc_pair_reorder_delay() {
	begin pair-reorder-delay client \
		"the client (TCP_MAXSEG 500) sends 1500 bytes at once, three 488-byte segments and a 36-byte one; the router holds the first of the three 60 ms (FORWARD, nfq hold #1), so the others overtake it: they reach the server first and it arrives 60 ms late. The server answers 200 bytes, which the router holds 100 ms (nfq hold #1 of a second queue): delayed, overtaken by nothing. Nothing is dropped"
	nfq router 0 -d 60 -h 1
	nfq router 1 -d 100 -h 1
	ipt router -A FORWARD -p tcp -s "$C4" --dport "$PORT" \
		-m length --length 500:600 -j NFQUEUE --queue-num 0
	ipt router -A FORWARD -p tcp -s "$S4" --sport "$PORT" \
		-m length --length 240:300 -j NFQUEUE --queue-num 1
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 1500 send 200 \
		recv_to_eof close snap "server closed"
	on client wait listening socket inet maxseg 500 connect "$S4" "$PORT" \
		send 1500 recv 200 close snap "client closed"
	wait_bg
	end
	check "three full segments from the client" "src $C4 and greater 550 and less 560" 3 6
	check_truth "nfq held the client's first full segment" "^nfq .* router #1 $C4\\.[0-9]+ > .* delay=60ms$"
	check_truth "nfq held the server's answer" "^nfq .* router #1 $S4\\.$PORT > .* delay=100ms$"
}

sc_pair_syn_blocked() {
	begin pair-syn-blocked client \
		"one ordinary connection through the router, then the router drops every SYN from the client to the server's port (iptables DROP in FORWARD) and the client connects again: its SYN and the one re-sent 1 s later (TCP_SYNCNT=1, tcp_syn_linear_timeouts=0) never reach the server, and connect() fails with ETIMEDOUT at 3 s; then the rule is deleted and a third connection goes through. The server's end never sees the second connection"
	sysctl_set client net.ipv4.tcp_syn_linear_timeouts 0
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof close
	on client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 200 close
	wait_bg
	ipt router -I FORWARD -p tcp -s "$C4" --dport "$PORT" --syn -j DROP
	on client socket inet syncnt 1 connect "$S4" "$PORT" close || true
	ipt router -D FORWARD -p tcp -s "$C4" --dport "$PORT" --syn -j DROP
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof close
	# "listening" was signalled by the first server already
	sleep 0.2
	on client socket inet connect "$S4" "$PORT" send 100 recv 200 close
	wait_bg
	end
	check "four SYNs at the client" "src $C4 and $SYN_ONLY" 4 4
	check_at server "two SYNs at the server" "src $C4 and $SYN_ONLY" 2 2
	check_truth "ETIMEDOUT" "connect\(.*\) = -1 ETIMEDOUT"
}

sc_keepalive_race() {
	begin keepalive-race client \
		"a keep-alive connection: after one request and its answer the server, idle for 1.5 s, closes it (its keep-alive timer); the router holds every forwarded segment 100 ms (nfq), and the client sends its second request as soon as the server has called close(), while the server's FIN is still on the router: the request crosses the FIN, the server's closed socket answers it with RST (and, with a second RST, the client's ACK of the FIN) and the client's read gets no answer: end of file, as the FIN reaches it before the RST (or ECONNRESET, where the RST came first; a proxy answers 502). At the server's end the request comes after the FIN and does not acknowledge it; at the client's end and on the router (client side) it comes before the FIN, which does not acknowledge it"
	nfq router 0 -d 100
	ipt router -A FORWARD -p tcp -j NFQUEUE --queue-num 0
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		sleep 1.5 close signal server-closed snap "server closed" \
		wait capture-done
	bg client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 200 wait server-closed send 100 recv_to_eof \
		snap "client reset" close signal client-done
	sync_wait client-done
	sleep 0.3
	snap "both done"
	end
	local v
	for v in client server router; do
		check_at "$v" "server FIN" "src $S4 and $FIN" 1 1
		check_at "$v" "RSTs from the server only" "src $S4 and $RST" 1 2
		check_at "$v" "no RST from the client" "src $C4 and $RST" 0 0
		check_at "$v" "no client FIN" "src $C4 and $FIN" 0 0
	done
	check_truth "no answer: EOF or ECONNRESET" "client s0.recv_to_eof\(\) = (0 EOF|-1 ECONNRESET)"
}

sc_mss_tiny() {
	begin mss-tiny client \
		"the client sets TCP_MAXSEG=88 (the least Linux takes) before connect(): its SYN announces MSS 88, below the 536 bytes every IPv4 path carries in one segment; the server announces 1460, so the server's 1000-byte answer crosses in segments of 76 bytes (88 less 12 bytes of timestamps), and the client's 100-byte request in 76 and 24 (TCP_MAXSEG caps its own sending too); a client-first close"
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 1000 \
		recv_to_eof close
	on client wait listening socket inet maxseg 88 connect "$S4" "$PORT" \
		send 100 recv 1000 close
	wait_bg
	end
	check_tshark "client MSS 88" "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mss_val == 88" 1 1
	check_tshark "server MSS 1460" "tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.options.mss_val == 1460" 1 1
	check_tshark "no server segment above 88" "ip.src == $S4 && tcp.len > 88" 0 0
}


sc_syn_to_close_wait() {
	begin syn-to-close-wait client \
		"the server reads a request to end of file and never closes (CLOSE-WAIT); the client, bound to port 40002 with SO_REUSEADDR, closes (its orphan FIN-WAIT-2 lasts about 1 s: tcp_fin_timeout=1 in its namespace), waits 2 s and connects again from the same port: the server's CLOSE-WAIT socket answers the new SYN with a challenge ACK of the old connection (RFC 5961 §4), the client (SYN-SENT) answers that with a RST whose sequence number is the ACK's acknowledgment number, which resets the stale socket; the client re-sends its SYN (Linux re-arms a SYN-SENT socket's timer at its minimum, a few ms, when an ACK it cannot accept arrives) and the listener accepts it. The server then reads the stale socket again (end of file) and writes to it (EPIPE: the RST came in CLOSE-WAIT)"
	sysctl_set client net.ipv4.tcp_fin_timeout 1
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		recv_to_eof snap "server read EOF, does not close" \
		use 0 accept snap "server accepted the retried SYN" \
		use 1 recv_to_eof send 100 close \
		use 2 recv 100 send 100 recv_to_eof close
	bg client wait listening socket inet reuseaddr bind "$C4" 40002 \
		connect "$S4" "$PORT" send 100 recv 200 close \
		sleep 0.2 snap "client closed: orphan FIN-WAIT-2" sleep 1.8 \
		snap "2 s later: the orphan is gone" \
		socket inet reuseaddr bind "$C4" 40002 connect "$S4" "$PORT" \
		snap "the retried SYN connected" send 100 recv 100 close
	wait_bg
	end
	local v
	for v in client server router; do
		check_at "$v" "three SYNs from port 40002" "src $C4 and src port 40002 and $SYN_ONLY" 3 3
		check_at "$v" "one SYN-ACK per connection" "src $S4 and $SYNACK" 2 2
		check_at "$v" "one client FIN per connection" "src $C4 and $FIN" 2 2
		check_at "$v" "one RST, from the client" "$RST" 1 1
		check_at "$v" "the client's RST" "src $C4 and $RST" 1 1
	done
	# the challenge ACK: a bare ACK from the server whose acknowledgment
	# number is the RST's sequence number, at each vantage; the server's
	# ACK of the old FIN carries the same number (the challenge ACK
	# repeats the old connection's RCV.NXT), so two
	local rst_seq
	for v in client server router; do
		rst_seq=$(tcpdump -nr "$WORK/$(vantage_file "$v")" -S "$RST" 2>/dev/null |
			sed -n 's/.* seq \([0-9]*\),.*/\1/p' | head -1)
		check_at "$v" "ACK of the old FIN and challenge ACK (ack $rst_seq)" \
			"src $S4 and tcp[tcpflags] == tcp-ack and tcp[8:4] == ${rst_seq:-0}" 2 2
	done
	check_truth "orphan FIN-WAIT-2 seen" "^ss FIN-WAIT-2 0 0 $C4:40002"
	check_truth "server CLOSE-WAIT" "^ss CLOSE-WAIT 0 0 $S4:$PORT $C4:40002"
	check_truth "second accept" "server s0.accept\\(\\) = [0-9]+ .* new=s2"
	check_truth "the stale socket was reset" "server s1.send\\(100\\) = -1 (EPIPE|ECONNRESET)"
}

# The idle-timeout-* scenarios: the router tracks connections (conntrack)
# and forgets one that stays idle longer than
# nf_conntrack_tcp_timeout_established, here 60 s instead of 5 days, as a
# NAT gateway or a load balancer forgets it after its idle timeout.  With
# nf_conntrack_tcp_loose 0 a segment of a connection it has forgotten does
# not start a new entry: conntrack calls it INVALID, and the FORWARD rule
# rejects or drops it.  The connection stays idle 63 s, longer than the
# router's 60 s and than the 60 s from which middlebox_idle_timeout
# speaks (--idle-gap-threshold), so each capture lasts about 65 s.
IDLE_CT_TIMEOUT=60
IDLE_GAP=63

# idle_router TARGET...: the FORWARD rule for INVALID segments.
idle_router() {
	ipt router -A FORWARD -p tcp -m conntrack --ctstate INVALID -j "$@"
	# the conntrack match above loads conntrack in the router's
	# namespace: its sysctls exist from then on
	sysctl_set router net.netfilter.nf_conntrack_tcp_loose 0
	sysctl_set router net.netfilter.nf_conntrack_tcp_timeout_established \
		"$IDLE_CT_TIMEOUT"
}

sc_idle_timeout_reset() {
	begin idle-timeout-reset client \
		"the router tracks connections and forgets one idle for ${IDLE_CT_TIMEOUT} s (nf_conntrack_tcp_timeout_established ${IDLE_CT_TIMEOUT}, nf_conntrack_tcp_loose 0), then rejects its segments as INVALID with iptables REJECT --reject-with tcp-reset, as a NAT gateway or load balancer that forgot an idle connection answers with a RST: after one request and its answer the connection stays idle ${IDLE_GAP} s; the client's second request is answered by a RST the router sends in the server's name (TTL 64 at the client, where the server's packets arrive with 63 after one hop), the client's read fails with ECONNRESET, and the server, which never sees the request, stays ESTABLISHED"
	SOCKSTEP_TIMEOUT=$((IDLE_GAP + 30))
	idle_router REJECT --reject-with tcp-reset
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		sleep $((IDLE_GAP + 5)) close
	bg client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 200 sleep "$IDLE_GAP" send 100 recv_to_eof \
		snap "client reset" close
	wait "${HOST_PIDS[-1]}"
	sleep 0.3
	snap "after the reset"
	end
	local v
	for v in client router; do
		check_tshark_at "$v" "a silence of ${IDLE_CT_TIMEOUT} s or more" \
			"frame.time_delta >= $IDLE_CT_TIMEOUT" 1 1
		check_tshark_at "$v" "the request after the silence" \
			"frame.time_relative >= $IDLE_CT_TIMEOUT && ip.src == $C4 && tcp.len == 100" 1 1
		check_at "$v" "one RST, in the server's name" "$RST" 1 1
		check_at "$v" "RST TTL 64 (the router's)" \
			"src $S4 and $RST and ip[8] == 64" 1 1
	done
	check_tshark_at server "nothing after the silence" \
		"frame.time_relative >= $IDLE_CT_TIMEOUT" 0 0
	check_at server "no RST at the server" "$RST" 0 0
	check_truth "ECONNRESET" "recv_to_eof\(\) = -1 ECONNRESET"
	check_truth "server still ESTABLISHED" "^ss ESTAB 0 0 $S4:$PORT"
}

sc_idle_timeout_drop() {
	begin idle-timeout-drop client \
		"the router tracks connections and forgets one idle for ${IDLE_CT_TIMEOUT} s (nf_conntrack_tcp_timeout_established ${IDLE_CT_TIMEOUT}, nf_conntrack_tcp_loose 0), then drops its segments as INVALID (iptables DROP), as a NAT gateway or firewall that forgot an idle connection drops them silently: after one request and its answer the connection stays idle ${IDLE_GAP} s; the client's second request is re-sent into silence until the client, with net.ipv4.tcp_retries2 3, gives up a few seconds later (the retransmission timeout doubling from 200 ms) and its read fails with ETIMEDOUT; the server, which never sees the request, stays ESTABLISHED"
	SOCKSTEP_TIMEOUT=$((IDLE_GAP + 30))
	idle_router DROP
	sysctl_set client net.ipv4.tcp_retries2 3
	# shellcheck disable=SC2046
	bg server $(server_listen "$S4" inet) accept recv 100 send 200 \
		sleep $((IDLE_GAP + 10)) close
	bg client wait listening socket inet connect "$S4" "$PORT" send 100 \
		recv 200 sleep "$IDLE_GAP" send 100 recv_to_eof \
		snap "client gave up" close
	wait "${HOST_PIDS[-1]}"
	sleep 0.3
	snap "after the client gave up"
	end
	local v
	for v in client router; do
		check_tshark_at "$v" "a silence of ${IDLE_CT_TIMEOUT} s or more" \
			"frame.time_delta >= $IDLE_CT_TIMEOUT" 1 1
		check_tshark_at "$v" "the request sent and re-sent after the silence" \
			"frame.time_relative >= $IDLE_CT_TIMEOUT && ip.src == $C4 && tcp.len == 100" 3
		check_tshark_at "$v" "nothing from the server after the silence" \
			"frame.time_relative >= $IDLE_CT_TIMEOUT && ip.src == $S4" 0 0
		check_at "$v" "no RST" "$RST" 0 0
	done
	check_tshark_at server "nothing after the silence" \
		"frame.time_relative >= $IDLE_CT_TIMEOUT" 0 0
	check_truth "ETIMEDOUT" "recv_to_eof\(\) = -1 ETIMEDOUT"
	check_truth "server still ESTABLISHED" "^ss ESTAB 0 0 $S4:$PORT"
}
