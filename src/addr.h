/*
 * addr.h: printing endpoints.  IPv6 addresses go in brackets before a port
 * ("[2001:db8::1]:443"), as URLs and ss(8) write them.
 */
#ifndef TFE_ADDR_H
#define TFE_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define TFE_ADDR_STRLEN 64 /* "[" + INET6_ADDRSTRLEN + "]:65535" + NUL */

/* Writes the address alone; returns buf. */
char *tfe_addr_format(int family, const uint8_t addr[16], char *buf,
                      size_t len);

/* Writes "addr:port" or "[addr]:port"; returns buf. */
char *tfe_endpoint_format(int family, const uint8_t addr[16], uint16_t port,
                          char *buf, size_t len);

#endif /* TFE_ADDR_H */
