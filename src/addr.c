/*
 * addr.c: endpoint formatting with inet_ntop(3).
 */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

char *
tfe_addr_format(int family, const uint8_t addr[16], char *buf, size_t len)
{
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf,
	              (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

char *
tfe_endpoint_format(int family, const uint8_t addr[16], uint16_t port,
                    char *buf, size_t len)
{
	char a[TFE_ADDR_STRLEN];

	tfe_addr_format(family, addr, a, sizeof a);
	if (family == 6)
		snprintf(buf, len, "[%s]:%u", a, (unsigned)port);
	else
		snprintf(buf, len, "%s:%u", a, (unsigned)port);
	return buf;
}
