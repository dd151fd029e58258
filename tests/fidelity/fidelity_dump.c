/* fidelity_dump.c -- prints our interpretation of every field of every
 * audit record of a file, one line per field, for tests/fidelity/fidelity.py
 * to compare with auparse:  ID <TAB> TYPE <TAB> NAME <TAB> VALUE.
 * ID is LINE:node|sec.msec:serial; VALUE is enrich_interpret's text, else
 * enrich_decode's, with bytes < 0x20 written \ooo as auparse prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_record.h"
#include "buf.h"
#include "enrich.h"

#define ARCH_MEMORY     64        /* recent events whose arch we remember */
#define ARCH_TEXT_MAX   16
#define FIRST_PRINTABLE 0x20
#define ENRICHED_SEP    '\x1d'

struct arch_memo {
	uint64_t serial;
	char arch[ARCH_TEXT_MAX];
};

static void put_escaped(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < FIRST_PRINTABLE)
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

/* The event's arch: the record's own, else remembered from its SYSCALL. */
static audit_view_t event_arch(const audit_record_t *r, struct arch_memo *m,
                               size_t *next)
{
	const audit_field_t *f = audit_record_field(r, "arch");
	audit_view_t none = { NULL, 0 };
	size_t i;

	if (f != NULL && f->value.len < ARCH_TEXT_MAX) {
		struct arch_memo *slot = &m[(*next)++ % ARCH_MEMORY];

		slot->serial = r->serial;
		memcpy(slot->arch, f->value.p, f->value.len);
		slot->arch[f->value.len] = '\0';
		return f->value;
	}
	for (i = 0; i < ARCH_MEMORY; i++)
		if (m[i].serial == r->serial && m[i].arch[0]) {
			audit_view_t v = { m[i].arch, strlen(m[i].arch) };
			return v;
		}
	return none;
}

static void dump_record(enrich_t *e, const audit_record_t *r,
                        audit_view_t arch, buf_t *val, unsigned long lineno)
{
	const char *sep = memchr(r->line.p, ENRICHED_SEP, r->line.len);
	enrich_ctx_t ctx = { .rec = r, .arch = arch, .origin = r->node };
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];

		if (sep != NULL && f->value.p > sep)
			continue;   /* auparse keeps these apart, not as fields */
		buf_reset(val);
		if (!enrich_interpret(e, &ctx, f, val))
			enrich_decode(&ctx, f, val);
		printf("%lu:%.*s|%lld.%03u:%llu\t%s\t%.*s\t", lineno,
		       (int)r->node.len,
		       r->node.p, (long long)r->sec, r->msec,
		       (unsigned long long)r->serial,
		       r->type_str ? r->type_str : "?", (int)f->name.len, f->name.p);
		put_escaped(val->p, val->len);
		putchar('\n');
	}
}

static int dump_file(enrich_t *e, FILE *in)
{
	struct arch_memo memo[ARCH_MEMORY];
	size_t next = 0, cap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	char *line = NULL;
	audit_record_t rec;
	buf_t val;

	memset(memo, 0, sizeof(memo));
	audit_record_init(&rec);
	buf_init(&val);
	while ((n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (audit_record_parse(&rec, line, (size_t)n) != AUDIT_PARSE_OK)
			continue;
		dump_record(e, &rec, event_arch(&rec, memo, &next), &val, lineno);
	}
	free(line);
	buf_free(&val);
	audit_record_free(&rec);
	return 0;
}

int main(int argc, char **argv)
{
	enrich_conf_t conf;
	enrich_t *e;
	FILE *in;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	in = fopen(argv[1], "r");
	if (in == NULL) {
		perror(argv[1]);
		return 1;
	}
	enrich_conf_default(&conf);
	conf.ids = ENRICH_IDS_ALWAYS;   /* same passwd as auparse */
	e = enrich_new(&conf);
	if (e == NULL)
		return 1;
	rc = dump_file(e, in);
	enrich_free(e);
	fclose(in);
	return rc;
}
