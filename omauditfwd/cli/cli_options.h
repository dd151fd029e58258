/* cli_options.h -- the CLI's command line, read from the settings table
 * (settings.h): every action parameter that means something outside
 * rsyslogd is a long option of the same name (--tls.cacert), the older
 * spellings (--syslog-header) are aliases, and the rsyslogd-only ones are
 * refused with a word saying so.
 *
 * Ownership: the strings point into argv; the lists' arrays are the
 * struct's own (cli_opts_free).
 */
#ifndef AUDITFWD_CLI_OPTIONS_H
#define AUDITFWD_CLI_OPTIONS_H

#include "pipeline.h"
#include "settings.h"
#include "transport.h"

#define CLI_MAX_LIST 1024            /* entries of a repeatable option */

typedef struct cli_list {
	const char **v;              /* into argv */
	size_t n, cap;
} cli_list_t;

typedef struct cli_opts {
	pipeline_conf_t pconf;
	transport_conf_t tconf;
	audit_joiner_conf_t jconf;
	enrich_conf_t econf;
	ancestry_conf_t aconf;
	const transport_ops_t *tops;  /* the transport (given or implied) */
	int tops_chosen;              /* --transport given, or implied by a setting */
	int join, enrich, ancestry, stats;
	long long max_msg;            /* -1: not given */
	const char *filter_file, *attack_mapping;
	char *brokers;                /* several --broker joined (owned) */
	const char *spelled[SET_COUNT]; /* each setting given, as it was spelled */
	cli_list_t list[SET_COUNT];   /* the repeatable settings' values */
	int first_file;               /* argv index of the first input file */
} cli_opts_t;

/* Fill O from ARGV: 0 to run, 1 when done (--help, --version, --man,
 * --list-settings printed), 2 on a bad command line (said on stderr). */
int cli_parse_args(int argc, char **argv, cli_opts_t *o);
void cli_opts_free(cli_opts_t *o);
/* sending to a collector (else: stdout) */
int cli_sending(const cli_opts_t *o);

/* --help and --man from the table (cli_help.c) */
void cli_usage(FILE *f);
void cli_man(FILE *f);

#endif
