/* cli_help.c -- the CLI's --help and its manual page auditfwd(1), both
 * written from the settings table, so that they list every setting the
 * CLI takes, with its values, default and the transports it applies to. */
#include "auditfwd_config.h"

#include <string.h>

#include "cli_options.h"

#define HELP_COLUMN 26   /* where the descriptions of --help start */

static const char *const intro =
	"Parse audit records (audit.log lines, syslog-wrapped, kernel, ENRICHED) from\n"
	"FILEs or standard input and write one formatted message per line to stdout,\n"
	"or send them to a collector with --target (or --topic, Kafka).\n";

/* what the value of ST looks like on the command line */
static const char *metavar(const setting_t *st)
{
	switch (st->type) {
	case SETTING_BOOL: return "on|off";
	case SETTING_INT: return "N";
	case SETTING_SIZE: return "SIZE";
	case SETTING_PORT: return "PORT";
	case SETTING_ENUM: return "WORD";
	case SETTING_LIST: return "VALUE";
	default: return "TEXT";
	}
}

static int cli_row(const setting_t *st)
{
	return !(st->flags & SETTING_RSYSLOG_ONLY);
}

void cli_usage(FILE *f)
{
	char type[SETTINGS_TEXT_MAX], tr[SETTINGS_TEXT_MAX], lead[64];
	size_t i;

	fprintf(f, "usage: auditfwd [OPTIONS] [FILE...]\n%s\n", intro);
	for (i = 0; i < SET_COUNT; i++) {
		const setting_t *st = settings_get((setting_id_t)i);

		if (!cli_row(st))
			continue;
		settings_transports_text(st, tr, sizeof(tr));
		if (st->flags & SETTING_NO_VALUE)
			snprintf(lead, sizeof(lead), "  --%s", st->name);
		else
			snprintf(lead, sizeof(lead), "  --%s %s", st->name, metavar(st));
		fprintf(f, "%-*s %s\n", HELP_COLUMN - 1, lead, st->help);
		if (!(st->flags & SETTING_NO_VALUE))
			fprintf(f, "%*s%s; default %s%s%s%s%s\n", HELP_COLUMN, "",
			        settings_type_text(st, type, sizeof(type)), st->dflt,
			        st->transports ? "; " : "", st->transports ? tr : "",
			        st->alias ? "; also --" : "", st->alias ? st->alias : "");
	}
	fprintf(f, "  --list-settings          the settings table, one tab-separated line each\n"
	        "  --man                    the manual page auditfwd(1), roff\n"
	        "  --version, --help\n"
	        "Action parameters that need rsyslogd (not options here):");
	for (i = 0; i < SET_COUNT; i++)
		if (!cli_row(settings_get((setting_id_t)i)))
			fprintf(f, " %s", settings_get((setting_id_t)i)->name);
	fputc('\n', f);
}

/* TEXT for roff: a leading '.' or '\'' and every backslash escaped */
static void roff(FILE *f, const char *text)
{
	if (*text == '.' || *text == '\'')
		fputs("\\&", f);
	for (; *text != '\0'; text++) {
		if (*text == '\\')
			fputs("\\e", f);
		else if (*text == '-')
			fputs("\\-", f);
		else
			fputc(*text, f);
	}
}

static void man_option(FILE *f, const setting_t *st)
{
	char type[SETTINGS_TEXT_MAX], tr[SETTINGS_TEXT_MAX];

	fputs(".TP\n\\fB\\-\\-", f);
	roff(f, st->name);
	fputs("\\fR", f);
	if (!(st->flags & SETTING_NO_VALUE)) {
		fputs(" \\fI", f);
		roff(f, metavar(st));
		fputs("\\fR", f);
	}
	fputc('\n', f);
	roff(f, st->help);
	fputs(".\n", f);
	if (st->flags & SETTING_NO_VALUE)
		return;
	settings_transports_text(st, tr, sizeof(tr));
	fputs("Values: ", f);
	roff(f, settings_type_text(st, type, sizeof(type)));
	fputs("; default: ", f);
	roff(f, st->dflt);
	if (st->transports != NULL) {
		fputs("; transports: ", f);
		roff(f, tr);
	}
	if (st->alias != NULL) {
		fputs("; also \\fB\\-\\-", f);
		roff(f, st->alias);
		fputs("\\fR", f);
	}
	fputs(".\n", f);
}

void cli_man(FILE *f)
{
	size_t i;

	fprintf(f, ".TH AUDITFWD 1 \"\" \"auditfwd %s\" \"User Commands\"\n"
	        ".SH NAME\nauditfwd \\- parse, join, enrich and forward audit records\n"
	        ".SH SYNOPSIS\n.B auditfwd\n[\\fIOPTIONS\\fR] [\\fIFILE\\fR...]\n"
	        ".SH DESCRIPTION\n", PACKAGE_VERSION);
	roff(f, intro);
	fputs("The options are the action parameters of the rsyslog module omauditfwd, "
	      "by the same names, and are checked the same way.\n.SH OPTIONS\n", f);
	for (i = 0; i < SET_COUNT; i++)
		if (cli_row(settings_get((setting_id_t)i)))
			man_option(f, settings_get((setting_id_t)i));
	fputs(".TP\n\\fB\\-\\-list\\-settings\\fR\nthe settings table, one tab-separated "
	      "line each.\n.TP\n\\fB\\-\\-man\\fR\nthis manual page.\n"
	      ".TP\n\\fB\\-\\-version\\fR, \\fB\\-\\-help\\fR\n"
	      ".SH RSYSLOGD ONLY\nThese action parameters mean something only inside "
	      "rsyslogd; the command refuses them:\n", f);
	for (i = 0; i < SET_COUNT; i++)
		if (!cli_row(settings_get((setting_id_t)i))) {
			fputs(".TP\n\\fB", f);
			roff(f, settings_get((setting_id_t)i)->name);
			fputs("\\fR\n", f);
			roff(f, settings_get((setting_id_t)i)->help);
			fputs(".\n", f);
		}
	fputs(".SH EXIT STATUS\n0: every message written or delivered; 1: an input, "
	      "output or delivery failed; 2: a bad command line.\n"
	      ".SH SEE ALSO\n.BR rsyslogd (8),\n.BR auditd (8).\n"
	      "The README of omauditfwd documents the formats and delivery semantics.\n", f);
}
