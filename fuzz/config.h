/* config.h for the fuzz build (fuzz/Makefile), which does not run
 * configure: only what src/ asks of it. */
#define PACKAGE_NAME "tcpflow-explain"
#define PACKAGE_VERSION "fuzz"
