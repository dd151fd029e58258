#!/usr/bin/env bash
# tls_refusals.sh with receivers on rsyslog's GnuTLS stream driver (gtls):
# our OpenSSL client against another TLS implementation.
ITEST_TLS_DRIVER=gtls exec bash "$(dirname "$0")/tls_refusals.sh"
