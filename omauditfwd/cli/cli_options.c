/* cli_options.c -- the CLI's command line, built from the settings table:
 * getopt_long's options, each value checked by the table as the module
 * checks it, then stored where the CLI's configuration keeps it. */
#include "auditfwd_config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "reduce.h"
#include "settings_store.h"

enum { O_VERSION = SET_COUNT + 1, O_HELP, O_LIST, O_MAN };

static int bad(const char *spelled, const char *err)
{
	fprintf(stderr, "auditfwd: --%s: %s\n", spelled, err);
	return 2;
}

static int append(cli_list_t *l, const char *v)
{
	const char **nv;

	if (l->n == CLI_MAX_LIST)
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
	}
	l->v[l->n++] = v;
	return 0;
}

void cli_opts_free(cli_opts_t *o)
{
	size_t i;

	for (i = 0; i < SET_COUNT; i++)
		free(o->list[i].v);
	free(o->brokers);
}

static void defaults(cli_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	pipeline_conf_default(&o->pconf);
	o->pconf.header.style = SYSLOG_HDR_NONE;
	o->pconf.filter_audit_clock = 1;
	transport_conf_default(&o->tconf);
	audit_joiner_conf_default(&o->jconf);
	enrich_conf_default(&o->econf);
	ancestry_conf_default(&o->aconf);
	o->aconf.use_proc = 0;
	o->tops = transport_find(settings_get(SET_TRANSPORT)->dflt);
	o->join = o->enrich = 1;
	o->max_msg = -1;
}

/* a number the table checked, into its field */
static void set_number(cli_opts_t *o, setting_id_t id, long long n)
{
	if (settings_store_number(&o->tconf, id, n) == 0)
		return;
	switch (id) {
	case SET_JOIN: o->join = (int)n; break;
	case SET_JOIN_TIMEOUT: o->jconf.timeout_ms = (unsigned)n; break;
	case SET_JOIN_MAXPENDING: o->jconf.max_pending = (size_t)n; break;
	case SET_JOIN_MAXRECORDS: o->jconf.max_records = (size_t)n; break;
	case SET_JOIN_MAXBYTES: o->jconf.max_bytes = (size_t)n; break;
	case SET_ENRICH: o->enrich = (int)n; break;
	case SET_ENRICH_HOSTNAME: o->pconf.attribute_host = (int)n; break;
	case SET_TRUSTED: o->pconf.trusted = (int)n; break;
	case SET_MAX_MESSAGE_SIZE: o->max_msg = n; break;
	case SET_ATTACK: o->pconf.attack = (int)n; break;
	case SET_ANCESTRY: o->ancestry = (int)n; break;
	case SET_ANCESTRY_DEPTH: o->aconf.depth = (unsigned)n; break;
	case SET_ANCESTRY_MAXPROCS: o->aconf.cap = (size_t)n; break;
	case SET_CLI_ANCESTRY_PROC: o->aconf.use_proc = (int)n; break;
	case SET_CLI_STATS: o->stats = 1; break;
	default: break;
	}
}

/* text the table checked, into its field (the parsers cannot fail on it) */
static void set_text(cli_opts_t *o, setting_id_t id, const char *s)
{
	pipeline_conf_t *p = &o->pconf;

	if (settings_store_text(&o->tconf, id, s) == 0)
		return;
	switch (id) {
	case SET_TRANSPORT: o->tops = transport_find(s); break;
	case SET_FORMAT: p->format = format_find(s); break;
	case SET_UNPARSED: (void)unparsed_policy_parse(s, &p->unparsed); break;
	case SET_SYSLOG_HEADER: (void)syslog_style_parse(s, &p->header.style); break;
	case SET_SYSLOG_APPNAME: p->header.app_name = s; break;
	case SET_SYSLOG_FACILITY: (void)syslog_facility_parse(s, &p->header.facility); break;
	case SET_SYSLOG_SEVERITY: (void)syslog_severity_parse(s, &p->header.severity); break;
	case SET_LEEF_VERSION: (void)format_leef_version_parse(s, &p->fmt.leef_version); break;
	case SET_LEEF_DELIMITER: (void)format_leef_delim_parse(s, &p->fmt.leef_delim); break;
	case SET_ENRICH_IDS: (void)enrich_ids_parse(s, &o->econf.ids); break;
	case SET_FILTER_FILE: o->filter_file = s; break;
	case SET_ATTACK_MAPPING: o->attack_mapping = s; break;
	case SET_CLI_HOST: p->local_host = s; break;
	case SET_CLI_FILTER_CLOCK: p->filter_audit_clock = strcmp(s, "audit") == 0; break;
	default: break;
	}
}

/* --SPELLED VALUE for the row ST */
static int take(cli_opts_t *o, const setting_t *st, const char *spelled, const char *val)
{
	char err[SETTINGS_ERR_MAX];
	setting_value_t v;

	if (st->flags & SETTING_RSYSLOG_ONLY) {
		fprintf(stderr, "auditfwd: --%s: means something only inside rsyslogd (an action "
		        "parameter: %s); the CLI has no use for it\n", spelled, st->help);
		return 2;
	}
	if (st->flags & SETTING_NO_VALUE)
		val = "on";
	/* the CLI's own header style: none (stdout) */
	if (st->id == SET_SYSLOG_HEADER && strcmp(val, "none") == 0) {
		o->spelled[st->id] = spelled;
		o->pconf.header.style = SYSLOG_HDR_NONE;
		return 0;
	}
	if (settings_parse(st, val, &v, err, sizeof(err)) != 0)
		return bad(spelled, err);
	o->spelled[st->id] = spelled;
	if (st->type == SETTING_LIST) {
		if (append(&o->list[st->id], val) != 0)
			return bad(spelled, "too many values");
	} else if (st->type <= SETTING_PORT) {
		set_number(o, st->id, v.n);
	} else {
		set_text(o, st->id, val);
	}
	if (st->id == SET_TRANSPORT)
		o->tops_chosen = 1;
	return 0;
}

/* getopt_long's table: each setting by name and by its alias */
static struct option *long_options(void)
{
	static const struct option fixed[] = {
		{ "version", no_argument, NULL, O_VERSION }, { "help", no_argument, NULL, O_HELP },
		{ "list-settings", no_argument, NULL, O_LIST }, { "man", no_argument, NULL, O_MAN },
	};
	struct option *v = calloc(2 * SET_COUNT + 5, sizeof(*v));
	size_t i, n = 0;

	if (v == NULL)
		return NULL;
	for (i = 0; i < SET_COUNT; i++) {
		const setting_t *st = settings_get((setting_id_t)i);
		int arg = st->flags & SETTING_NO_VALUE ? no_argument : required_argument;

		v[n++] = (struct option){ st->name, arg, NULL, (int)i };
		if (st->alias != NULL)
			v[n++] = (struct option){ st->alias, arg, NULL, (int)i };
	}
	memcpy(v + n, fixed, sizeof(fixed));
	return v;
}

/* the option at getopt's LONGINDEX, as it was spelled */
static const char *spelled_at(const struct option *opts, int longindex)
{
	return longindex >= 0 ? opts[longindex].name : "?";
}

/* a setting that applies to one transport only chooses it, when
 * --transport was not given (--topic: kafka) */
static void imply_transport(cli_opts_t *o)
{
	size_t i;

	for (i = 0; i < SET_COUNT && !o->tops_chosen; i++) {
		const setting_t *st = settings_get((setting_id_t)i);

		if (o->spelled[i] != NULL && st->transports != NULL &&
		    strchr(st->transports, ' ') == NULL &&
		    transport_find(st->transports) != NULL) {
			o->tops = transport_find(st->transports);
			o->tops_chosen = 1;
		}
	}
}

int cli_sending(const cli_opts_t *o)
{
	return o->tconf.target != NULL ||
	       (o->tops_chosen && !(o->tops->caps & TRANSPORT_CAP_NEEDS_TARGET));
}

static int uses_tls(const cli_opts_t *o)
{
	return transport_uses_tls(o->tops, &o->tconf);
}

/* setting I, given, applies to the format, and (sending) to the transport */
static int check_applies(const cli_opts_t *o, size_t i)
{
	const setting_t *st = settings_get((setting_id_t)i);
	char tr[64];

	if (st->format != NULL && strcmp(st->format, o->pconf.format->name) != 0) {
		fprintf(stderr, "auditfwd: --%s needs --format %s\n", o->spelled[i], st->format);
		return 2;
	}
	if (!cli_sending(o))
		return 0;
	if (!settings_applies(st, o->tops->name)) {
		settings_transports_text(st, tr, sizeof(tr));
		fprintf(stderr, "auditfwd: --%s applies to transport %s, not to --transport %s\n",
		        o->spelled[i], tr, o->tops->name);
		return 2;
	}
	if ((st->flags & SETTING_TLS) && !uses_tls(o)) {
		fprintf(stderr, "auditfwd: --%s needs --tls on with --transport %s\n",
		        o->spelled[i], o->tops->name);
		return 2;
	}
	return 0;
}

/* the lists into the configurations that take them */
static int link_lists(cli_opts_t *o)
{
	transport_conf_t *t = &o->tconf;
	cli_list_t *l = o->list;
	size_t i, len = 0;

	for (i = 0; i < SET_COUNT; i++)     /* the lists kept as lists */
		(void)settings_store_list(t, (setting_id_t)i, l[i].v, l[i].n);
	for (i = 0; i < l[SET_BROKER].n; i++)
		len += strlen(l[SET_BROKER].v[i]) + 1;
	if (len == 0)
		return 0;
	if ((o->brokers = calloc(1, len)) == NULL)
		return -1;
	for (i = 0; i < l[SET_BROKER].n; i++)
		strcat(strcat(o->brokers, i ? "," : ""), l[SET_BROKER].v[i]);
	(void)settings_store_text(t, SET_BROKER, o->brokers);
	return 0;
}

/* what the table cannot say about one setting alone */
static int cross_checks(cli_opts_t *o)
{
	size_t i;
	int rc;

	imply_transport(o);
	if (link_lists(o) != 0) {
		fprintf(stderr, "auditfwd: out of memory\n");
		return 2;
	}
	for (i = 0; i < SET_COUNT; i++)
		if (o->spelled[i] != NULL && (rc = check_applies(o, i)) != 0)
			return rc;
	if (o->pconf.fmt.leef_version == 1 && o->pconf.fmt.leef_delim != '\t')
		return bad(o->spelled[SET_LEEF_DELIMITER] ? o->spelled[SET_LEEF_DELIMITER] :
		           "leef-delimiter", "LEEF 1.0 separates attributes with TAB only");
	if (o->tconf.tls.authmode == TLS_AUTH_ANON && o->list[SET_TLS_PERMITTEDPEER].n > 0)
		return bad(o->spelled[SET_TLS_PERMITTEDPEER], "ignored with --tls.authmode anon "
		           "(no certificate is checked)");
	if (o->tconf.tls.authmode == TLS_AUTH_ANON && cli_sending(o) && uses_tls(o))
		fprintf(stderr, "auditfwd: warning: --tls.authmode anon: the collector's "
		        "certificate is not checked\n");
	if (o->attack_mapping != NULL && !o->pconf.attack)
		return bad(o->spelled[SET_ATTACK_MAPPING], "needs --attack on");
	return 0;
}

int cli_parse_args(int argc, char **argv, cli_opts_t *o)
{
	struct option *opts = long_options();
	int opt, longindex, rc = 0;

	defaults(o);
	if (opts == NULL) {
		fprintf(stderr, "auditfwd: out of memory\n");
		return 2;
	}
	while (rc == 0 && (longindex = -1,
	       opt = getopt_long(argc, argv, "h", opts, &longindex)) != -1) {
		if (opt >= 0 && opt < SET_COUNT)
			rc = take(o, settings_get((setting_id_t)opt), spelled_at(opts, longindex),
			          optarg);
		else if (opt == O_VERSION)
			rc = 1, printf("auditfwd %s\n", PACKAGE_VERSION);
		else if (opt == O_HELP || opt == 'h')
			rc = 1, cli_usage(stdout);
		else if (opt == O_LIST)
			rc = 1, settings_list(stdout);
		else if (opt == O_MAN)
			rc = 1, cli_man(stdout);
		else
			rc = 2, cli_usage(stderr);
	}
	free(opts);
	o->first_file = optind;
	return rc != 0 ? rc : cross_checks(o);
}
