/* enrich.c -- decoding and interpretation of field values (see enrich.h):
 * which interpreter applies to which field of which record type (auparse's
 * typetab and its per-record adjustments), the id policy, and the locked,
 * bounded TTL caches of uid -> user and gid -> group names.
 */
#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <libaudit.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "enrich.h"
#include "interpret.h"
#include "clock_ms.h"

#define ARRAY_LEN(a)        (sizeof(a) / sizeof((a)[0]))
#define LOCAL_HOST_MAX      256
#define FIELD_NAME_MAX      64      /* longer names have no interpretation */
#define VALUE_COPY_MAX      8192    /* longer values are not codes */
#define PW_SCRATCH_LEN      4096    /* getpwuid_r/getgrgid_r buffer */
#define HASH_MULT           0x9E3779B97F4A7C15ULL
#define UNKNOWN_PREFIX      "unknown-"
#define UNKNOWN_ID_OPEN     "unknown("
#define LIT_LEN(s)          (sizeof(s) - 1)
#define VALUE_STACK_MAX     256     /* longer values are copied to the heap */
#define PROCTITLE_NAME      "proctitle"
#define DEC_BASE            10
#define HEX_BASE            16
#define EXECVE_MAX_INDEX    INT_MAX /* argument numbers; enrich_argv's count is an int */

/* ---- configuration -------------------------------------------------------- */

int enrich_ids_parse(const char *s, enrich_ids_t *out)
{
	static const struct { const char *s; enrich_ids_t v; } names[] = {
		{ "auto", ENRICH_IDS_AUTO }, { "always", ENRICH_IDS_ALWAYS },
		{ "never", ENRICH_IDS_NEVER },
	};
	size_t i;

	for (i = 0; s != NULL && i < ARRAY_LEN(names); i++)
		if (strcasecmp(s, names[i].s) == 0) {
			*out = names[i].v;
			return 0;
		}
	return -1;
}

void enrich_conf_default(enrich_conf_t *c)
{
	c->ids = ENRICH_IDS_AUTO;
	c->id_ttl_s = ENRICH_DEFAULT_ID_TTL_S;
	c->id_cache_max = ENRICH_DEFAULT_ID_CACHE_MAX;
	c->local_host = NULL;
}

/* ---- the id caches -------------------------------------------------------- */

/* Direct-mapped: an id has one slot; a newer id evicts the older. Bounded,
 * O(1), and good enough for the few hundred ids a host really uses. A
 * failed lookup is cached too (name NULL) so unknown ids cost no NSS call
 * per record. A cache, not a map (util/hmap.h): eviction on collision is
 * what bounds it, with no list or count to keep. */
typedef struct id_entry {
	unsigned long long id;
	uint64_t expires_ms;
	char *text;          /* the name, or "unknown(N)" (NULL: that, not
	                      * kept for want of memory) */
	size_t len;          /* of text */
	int used;
} id_entry_t;

typedef struct id_cache {
	id_entry_t *slots;
	size_t n;
} id_cache_t;

enum id_kind { ID_USER, ID_GROUP };

struct enrich {
	enrich_conf_t conf;
	char local_host[LOCAL_HOST_MAX];
	pthread_mutex_t lock;      /* guards the caches and stats */
	id_cache_t cache[2];       /* by enum id_kind */
	enrich_stats_t stats;
};

static void cache_clear(id_cache_t *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->slots[i].text);
		c->slots[i].text = NULL;
		c->slots[i].used = 0;
	}
}

static id_entry_t *cache_slot(id_cache_t *c, unsigned long long id)
{
	return &c->slots[(size_t)((id * HASH_MULT) >> 1) % c->n];
}

/* The name of ID from this host's database, malloc'ed, or NULL. */
static char *db_lookup(enum id_kind kind, unsigned long long id)
{
	char scratch[PW_SCRATCH_LEN];

	if (kind == ID_USER) {
		struct passwd pw, *res = NULL;

		if (getpwuid_r((uid_t)id, &pw, scratch, sizeof(scratch), &res) != 0 ||
		    res == NULL)
			return NULL;
		return strdup(res->pw_name);
	} else {
		struct group gr, *res = NULL;

		if (getgrgid_r((gid_t)id, &gr, scratch, sizeof(scratch), &res) != 0 ||
		    res == NULL)
			return NULL;
		return strdup(res->gr_name);
	}
}

/* An id this host has no name for, as ausearch -i prints it: auparse keeps
 * ids in a C int, so one above 2^31 shows negative (uid 4292467295 is
 * "unknown(-2500001)"). The raw number stays next to it in the output. */
static void put_unknown_id(buf_t *out, unsigned long long id)
{
	int32_t v = (int32_t)(uint32_t)id;

	buf_append(out, UNKNOWN_ID_OPEN, LIT_LEN(UNKNOWN_ID_OPEN));
	if (v < 0)
		buf_putc(out, '-');
	buf_put_uint(out, v < 0 ? (unsigned long long)-(int64_t)v : (unsigned long long)v);
	buf_putc(out, ')');
}

/* Under the lock: append the cached name of ID (or "unknown(ID)") and
 * return 1, or 0 when the cache does not know it (any more). */
static int cache_get(enrich_t *e, enum id_kind kind, unsigned long long id,
                     buf_t *out)
{
	id_entry_t *s = cache_slot(&e->cache[kind], id);

	if (!s->used || s->id != id || (uint64_t)mono_coarse_ms() >= s->expires_ms)
		return 0;
	if (s->text != NULL)
		buf_append(out, s->text, s->len);
	else
		put_unknown_id(out, id);
	return 1;
}

/* TEXT (malloc'ed, LEN bytes, or NULL) becomes ID's entry */
static void cache_put(enrich_t *e, enum id_kind kind, unsigned long long id,
                      char *text, size_t len)
{
	id_entry_t *s = cache_slot(&e->cache[kind], id);

	free(s->text);
	s->id = id;
	s->text = text;
	s->len = len;
	s->used = 1;
	s->expires_ms = (uint64_t)mono_coarse_ms() + (uint64_t)e->conf.id_ttl_s * CLOCK_MS_PER_S;
}

/* The name of uid/gid ID, through the cache: auparse's form, "unknown(N)"
 * when this host does not know it. The NSS call runs unlocked. */
static void resolve_id(enrich_t *e, enum id_kind kind, unsigned long long id,
                       buf_t *out)
{
	char *name;
	size_t at = out->len, len;
	int hit;

	pthread_mutex_lock(&e->lock);
	hit = cache_get(e, kind, id, out);
	if (hit)
		e->stats.id_cache_hits++;
	else
		e->stats.id_cache_misses++;
	pthread_mutex_unlock(&e->lock);
	if (hit)
		return;
	name = db_lookup(kind, id);
	if (name != NULL) {
		len = strlen(name);
		buf_append(out, name, len);
	} else {
		/* kept as written, so a hit is one copy */
		put_unknown_id(out, id);
		len = out->len - at;
		if (!out->oom && (name = malloc(len + 1)) != NULL) {
			memcpy(name, out->p + at, len);
			name[len] = '\0';
		}
	}
	pthread_mutex_lock(&e->lock);
	cache_put(e, kind, id, name, name != NULL ? len : 0);
	pthread_mutex_unlock(&e->lock);
}

static int cache_init(id_cache_t *c, size_t n)
{
	c->n = n ? n : 1;
	c->slots = calloc(c->n, sizeof(*c->slots));
	return c->slots != NULL ? 0 : -1;
}

static void name_kinds_ensure(void);

enrich_t *enrich_new(const enrich_conf_t *conf)
{
	enrich_t *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	name_kinds_ensure();   /* enrich_name_filter, before any formatting */
	if (conf != NULL)
		e->conf = *conf;
	else
		enrich_conf_default(&e->conf);
	if (e->conf.local_host != NULL)
		snprintf(e->local_host, sizeof(e->local_host), "%s",
		         e->conf.local_host);
	else if (gethostname(e->local_host, sizeof(e->local_host) - 1) != 0)
		e->local_host[0] = '\0';
	e->conf.local_host = e->local_host;
	if (cache_init(&e->cache[ID_USER], e->conf.id_cache_max) != 0 ||
	    cache_init(&e->cache[ID_GROUP], e->conf.id_cache_max) != 0 ||
	    pthread_mutex_init(&e->lock, NULL) != 0) {
		free(e->cache[ID_USER].slots);
		free(e->cache[ID_GROUP].slots);
		free(e);
		return NULL;
	}
	return e;
}

void enrich_free(enrich_t *e)
{
	if (e == NULL)
		return;
	cache_clear(&e->cache[ID_USER]);
	cache_clear(&e->cache[ID_GROUP]);
	free(e->cache[ID_USER].slots);
	free(e->cache[ID_GROUP].slots);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

const enrich_stats_t *enrich_stats(const enrich_t *e)
{
	return &e->stats;
}

void enrich_clear_cache(enrich_t *e)
{
	pthread_mutex_lock(&e->lock);
	cache_clear(&e->cache[ID_USER]);
	cache_clear(&e->cache[ID_GROUP]);
	pthread_mutex_unlock(&e->lock);
}

/* ---- origin ------------------------------------------------------------- */

static int view_eq(audit_view_t v, const char *s)
{
	return v.len == strlen(s) && memcmp(v.p, s, v.len) == 0;
}

/* Same host when equal, or when one is the other's short name
 * ("web01" and "web01.example.org"). */
static int same_host(audit_view_t a, const char *b)
{
	size_t bl = strlen(b);

	if (a.len == 0 || bl == 0)
		return 0;
	if (view_eq(a, b))
		return 1;
	if (a.len < bl)
		return memcmp(a.p, b, a.len) == 0 && b[a.len] == '.';
	return memcmp(a.p, b, bl) == 0 && a.p[bl] == '.';
}

static int origin_is_local(const enrich_t *e, const enrich_ctx_t *ctx)
{
	audit_view_t o = ctx->origin;

	if (o.len == 0 && ctx->rec != NULL)
		o = ctx->rec->node;
	return o.len == 0 || same_host(o, e->local_host);
}

static int ids_allowed(const enrich_t *e, const enrich_ctx_t *ctx)
{
	switch (e->conf.ids) {
	case ENRICH_IDS_ALWAYS:
		return 1;
	case ENRICH_IDS_NEVER:
		return 0;
	case ENRICH_IDS_AUTO:
	default:
		return origin_is_local(e, ctx);
	}
}

/* ---- decoding ----------------------------------------------------------- */

static int is_argv_like(const audit_field_t *f)
{
	return f->name.len == strlen(PROCTITLE_NAME) &&
	       memcmp(f->name.p, PROCTITLE_NAME, f->name.len) == 0;
}

int enrich_decode(const enrich_ctx_t *ctx, const audit_field_t *f, buf_t *out)
{
	size_t start = out->len, i;

	(void)ctx;
	/* proctitle is hex whenever it is not quoted, whatever the case of
	 * its digits (some writers use lower case; auparse decodes those) */
	if ((f->enc != AUDIT_ENC_HEX &&
	     !(f->enc == AUDIT_ENC_PLAIN && is_argv_like(f))) ||
	    !interp_unhex(f->value.p, f->value.len, out)) {
		buf_append(out, f->value.p, f->value.len);
		return 0;
	}
	if (is_argv_like(f))
		for (i = start; i < out->len; i++)
			if (out->p[i] == '\0')
				out->p[i] = ' ';
	return 1;
}

audit_view_t enrich_decoded(const enrich_ctx_t *ctx, const audit_field_t *f, buf_t *out)
{
	audit_view_t v;

	/* what enrich_decode appends unchanged (its first test) */
	if (f->enc != AUDIT_ENC_HEX && !(f->enc == AUDIT_ENC_PLAIN && is_argv_like(f)))
		return f->value;
	buf_reset(out);
	(void)enrich_decode(ctx, f, out);
	v.p = out->p != NULL ? out->p : "";
	v.len = out->len;
	return v;
}

/* ---- dispatch ----------------------------------------------------------- */

enum kind {
	K_NONE, K_UID, K_GID, K_SYSCALL, K_ARCH, K_EXIT, K_PERM, K_MODE,
	K_MODE_SHORT, K_SOCKADDR, K_PROMISC, K_CAPABILITY, K_SUCCESS, K_A0,
	K_A1, K_A2, K_A3, K_SIGNAL, K_LIST, K_TTY_DATA, K_SESSION,
	K_CAP_BITMAP, K_NFPROTO, K_ICMPTYPE, K_PROTOCOL, K_SECCOMP, K_OFLAG,
	K_MMAP, K_HOOK, K_NETACTION, K_MACPROTO, K_FANOTIFY, K_NLMCGRP,
	K_SEPERMS
};

/* Field name -> kind, after auparse's typetab.h. Names whose only
 * interpretation is decoding (the escaped strings, proctitle) and MAC
 * labels are absent: enrich_decode is all they get. */
#define NK(n, k) { n, sizeof(n) - 1, k }
static const struct name_kind {
	const char *name;
	size_t len;
	enum kind kind;
} name_kinds[] = {
	NK("auid", K_UID), NK("uid", K_UID), NK("euid", K_UID),
	NK("suid", K_UID), NK("fsuid", K_UID), NK("ouid", K_UID),
	NK("oauid", K_UID), NK("old-auid", K_UID), NK("iuid", K_UID),
	NK("id", K_UID), NK("inode_uid", K_UID), NK("sauid", K_UID),
	NK("obj_uid", K_UID), NK("obj_gid", K_GID), NK("gid", K_GID),
	NK("egid", K_GID), NK("sgid", K_GID), NK("fsgid", K_GID),
	NK("ogid", K_GID), NK("igid", K_GID), NK("inode_gid", K_GID),
	NK("new_gid", K_GID), NK("syscall", K_SYSCALL), NK("arch", K_ARCH),
	NK("exit", K_EXIT), NK("perm", K_PERM), NK("perm_mask", K_PERM),
	NK("mode", K_MODE), NK("saddr", K_SOCKADDR), NK("prom", K_PROMISC),
	NK("old_prom", K_PROMISC), NK("capability", K_CAPABILITY),
	NK("res", K_SUCCESS), NK("result", K_SUCCESS), NK("a0", K_A0),
	NK("a1", K_A1), NK("a2", K_A2), NK("a3", K_A3), NK("sig", K_SIGNAL),
	NK("list", K_LIST), NK("data", K_TTY_DATA), NK("ses", K_SESSION),
	NK("cap_pi", K_CAP_BITMAP), NK("cap_pe", K_CAP_BITMAP),
	NK("cap_pp", K_CAP_BITMAP), NK("cap_pa", K_CAP_BITMAP),
	NK("cap_fi", K_CAP_BITMAP), NK("cap_fp", K_CAP_BITMAP),
	NK("fp", K_CAP_BITMAP), NK("fi", K_CAP_BITMAP),
	NK("old_pp", K_CAP_BITMAP), NK("old_pi", K_CAP_BITMAP),
	NK("old_pe", K_CAP_BITMAP), NK("old_pa", K_CAP_BITMAP),
	NK("new_pp", K_CAP_BITMAP), NK("new_pi", K_CAP_BITMAP),
	NK("new_pe", K_CAP_BITMAP), NK("pp", K_CAP_BITMAP),
	NK("pi", K_CAP_BITMAP), NK("pe", K_CAP_BITMAP), NK("pa", K_CAP_BITMAP),
	NK("family", K_NFPROTO), NK("icmptype", K_ICMPTYPE),
	NK("proto", K_PROTOCOL), NK("code", K_SECCOMP), NK("oflag", K_OFLAG),
	NK("flags", K_MMAP), NK("sigev_signo", K_SIGNAL), NK("hook", K_HOOK),
	NK("action", K_NETACTION), NK("macproto", K_MACPROTO),
	NK("resp", K_FANOTIFY), NK("nl-mcgrp", K_NLMCGRP),
	NK("seperms", K_SEPERMS),
};
#undef NK

static const interp_fn kind_fns[] = {
	[K_SYSCALL] = interp_syscall, [K_ARCH] = interp_arch,
	[K_EXIT] = interp_exit, [K_PERM] = interp_perm,
	[K_MODE] = interp_mode, [K_MODE_SHORT] = interp_mode_short,
	[K_SOCKADDR] = interp_sockaddr, [K_PROMISC] = interp_promisc,
	[K_CAPABILITY] = interp_capability, [K_SUCCESS] = interp_success,
	[K_A0] = interp_a0, [K_A1] = interp_a1, [K_A2] = interp_a2,
	[K_A3] = interp_a3, [K_SIGNAL] = interp_signal, [K_LIST] = interp_list,
	[K_TTY_DATA] = interp_tty_data, [K_SESSION] = interp_session,
	[K_CAP_BITMAP] = interp_cap_bitmap, [K_NFPROTO] = interp_nfproto,
	[K_ICMPTYPE] = interp_icmptype, [K_PROTOCOL] = interp_protocol,
	[K_SECCOMP] = interp_seccomp_code, [K_OFLAG] = interp_open_flags,
	[K_MMAP] = interp_mmap_flags, [K_HOOK] = interp_hook,
	[K_NETACTION] = interp_netaction, [K_MACPROTO] = interp_macproto,
	[K_FANOTIFY] = interp_fanotify, [K_NLMCGRP] = interp_nlmcgrp,
	[K_SEPERMS] = interp_seperms,
};

/* Every field of every record comes through here (strcmp from a linear
 * scan was 15 % of the core path, then still 4 % with a first-byte check):
 * a hash table over name_kinds, built once, indexed by the hash the parser
 * keeps for every field name (audit_name_hash), finds a name with one
 * compare of its length and bytes. */
#define NAME_KIND_SLOTS 256     /* a power of two, over 2 x ARRAY_LEN(name_kinds) */
static unsigned char name_kind_slot[NAME_KIND_SLOTS];  /* index + 1; 0 empty */
static uint64_t name_kind_key[ARRAY_LEN(name_kinds)];   /* audit_name_key of each */
_Static_assert(2 * ARRAY_LEN(name_kinds) < NAME_KIND_SLOTS && ARRAY_LEN(name_kinds) < 255,
               "name_kind_slot: too small for name_kinds");
/* the tables are built by enrich_new (every interpretation has an enricher) */
static pthread_once_t name_kind_once = PTHREAD_ONCE_INIT;
/* every name kind_of can give a kind is in name_kinds (its adjustments by
 * record type only give other kinds to names of the table) */
uint64_t enrich_name_filter[ENRICH_NAME_FILTER_BITS / 64];

static void name_kinds_index(void)
{
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(name_kinds); i++) {
		uint32_t h = audit_name_hash(name_kinds[i].name, name_kinds[i].len);
		uint32_t b = h & (ENRICH_NAME_FILTER_BITS - 1);

		enrich_name_filter[b / 64] |= (uint64_t)1 << (b % 64);
		name_kind_key[i] = audit_name_key(name_kinds[i].name, name_kinds[i].len);
		for (j = h & (NAME_KIND_SLOTS - 1); name_kind_slot[j]; j = (j + 1) & (NAME_KIND_SLOTS - 1))
			;
		name_kind_slot[j] = (unsigned char)(i + 1);
	}
}

static void name_kinds_ensure(void)
{
	(void)pthread_once(&name_kind_once, name_kinds_index);
}

static int view_is(audit_view_t v, const char *s, size_t len)
{
	return v.len == len && memcmp(v.p, s, len) == 0;
}

#define VIEW_IS(v, lit) view_is((v), (lit), sizeof(lit) - 1)

/* The kind of the field name N whose audit_name_key is KEY and
 * audit_name_hash is H: a name of up to 8 bytes is compared as its key. */
static enum kind kind_by_name(audit_view_t n, uint64_t key, uint32_t h)
{
	size_t j;

	for (j = h & (NAME_KIND_SLOTS - 1); name_kind_slot[j]; j = (j + 1) & (NAME_KIND_SLOTS - 1)) {
		size_t i = name_kind_slot[j] - 1u;
		const struct name_kind *k = &name_kinds[i];

		if (k->len == n.len && name_kind_key[i] == key &&
		    (n.len <= AUDIT_NAME_KEY_BYTES ||
		     memcmp(k->name + AUDIT_NAME_KEY_BYTES, n.p + AUDIT_NAME_KEY_BYTES,
		            n.len - AUDIT_NAME_KEY_BYTES) == 0))
			return k->kind;
	}
	return K_NONE;
}

/* auparse_interp_adjust_type(): a name that means something else in one
 * record type. */
static enum kind kind_of(int rtype, audit_view_t name, uint64_t key, uint32_t h)
{
	if (rtype == AUDIT_EXECVE && name.len > 0 && name.p[0] == 'a')
		return K_NONE;                  /* argv: decoded only */
	if ((rtype == AUDIT_AVC || rtype == AUDIT_NETFILTER_PKT) &&
	    VIEW_IS(name, "saddr"))
		return K_NONE;                  /* plain text address */
	if (rtype == AUDIT_MQ_OPEN && VIEW_IS(name, "mode"))
		return K_MODE_SHORT;
	if (rtype == AUDIT_CRYPTO_KEY_USER && VIEW_IS(name, "fp"))
		return K_NONE;                  /* a key fingerprint */
	if ((rtype == AUDIT_ADD_GROUP || rtype == AUDIT_GRP_MGMT ||
	     rtype == AUDIT_DEL_GROUP) && VIEW_IS(name, "id"))
		return K_GID;
	if (rtype == AUDIT_PATH && VIEW_IS(name, "flags"))
		return K_NONE;                  /* RHEL4-only lookup flags */
	return kind_by_name(name, key, h);
}

/* ---- event facts an interpretation needs -------------------------------- */

/* A field's value as a C string in BUF; 0 if it does not fit. */
static int value_str(const audit_field_t *f, char *buf, size_t size)
{
	if (f == NULL || f->value.len >= size)
		return 0;
	memcpy(buf, f->value.p, f->value.len);
	buf[f->value.len] = '\0';
	return 1;
}

/* Where auditd writes the fields of a SYSCALL record that the record's
 * facts come from: "arch= syscall= success= exit= a0= a1= ..." (a guess,
 * checked: audit_record_field_at) */
#define AT_ARCH    0
#define AT_SYSCALL 1
#define AT_A0      4
#define AT_A1      5

static unsigned long long record_hex(const audit_record_t *r, const char *name, size_t at)
{
	char v[FIELD_NAME_MAX];
	unsigned long long x = 0;

	if (r != NULL && value_str(audit_record_field_at(r, name, at), v, sizeof(v)))
		(void)interp_parse_ull(v, HEX_BASE, &x);
	return x;
}

/* The machine: the record's own arch=, else the event's. */
static int event_machine(const enrich_ctx_t *ctx)
{
	char v[FIELD_NAME_MAX];
	const audit_field_t *f = ctx->rec ? audit_record_field_at(ctx->rec, "arch", AT_ARCH) : NULL;

	if (value_str(f, v, sizeof(v)))
		return interp_machine_of_arch(v);
	if (ctx->arch.len > 0 && ctx->arch.len < sizeof(v)) {
		memcpy(v, ctx->arch.p, ctx->arch.len);
		v[ctx->arch.len] = '\0';
		return interp_machine_of_arch(v);
	}
	return -1;
}

static long record_syscall(const audit_record_t *r)
{
	char v[FIELD_NAME_MAX];
	unsigned long long nr;

	if (r == NULL || !value_str(audit_record_field_at(r, "syscall", AT_SYSCALL), v, sizeof(v)) ||
	    !interp_parse_ull(v, DEC_BASE, &nr) || nr > INT32_MAX)
		return -1;
	return (long)nr;
}

/* Whether the id policy lets this host name the ids of CTX's record:
 * decided once per record (cached in CTX as record_facts does). */
static int record_ids(const enrich_t *e, const enrich_ctx_t *ctx)
{
	enrich_ctx_t *c = (enrich_ctx_t *)ctx;

	if (!c->facts.ids_known) {
		c->facts.ids = ids_allowed(e, ctx);
		c->facts.ids_known = 1;
	}
	return c->facts.ids;
}

/* A's machine, syscall, a0 and a1: the record's, found once per record
 * (every field that needs them asks; each is a search of its fields).
 * CTX's cache is written through a cast: every ctx is the caller's own
 * variable, and the cache does not change what the ctx means. */
static void record_facts(const enrich_ctx_t *ctx, interp_arg_t *a)
{
	enrich_ctx_t *c = (enrich_ctx_t *)ctx;

	if (!c->facts.known) {
		c->facts.machine = event_machine(ctx);
		c->facts.syscall = record_syscall(ctx->rec);
		c->facts.a0 = record_hex(ctx->rec, "a0", AT_A0);
		c->facts.a1 = record_hex(ctx->rec, "a1", AT_A1);
		c->facts.known = 1;
	}
	a->machine = c->facts.machine;
	a->syscall = c->facts.syscall;
	a->a0 = c->facts.a0;
	a->a1 = c->facts.a1;
}

/* ENRICHED: the interpreted counterpart (AUID for auid) of F, if the
 * record carries one that auditd could interpret. */
static const audit_field_t *enriched_of(const audit_record_t *r,
                                        const audit_field_t *f)
{
	size_t i, j;

	if (r == NULL || !audit_record_may_have_enriched(r, f->name.p, f->name.len) ||
	    (f->flags & AUDIT_FIELD_INTERPRETED))
		return NULL;
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *g = &r->fields[i];

		if (!(g->flags & AUDIT_FIELD_INTERPRETED) || g->name.len != f->name.len)
			continue;
		for (j = 0; j < f->name.len; j++)
			if (g->name.p[j] != (char)toupper((unsigned char)f->name.p[j]))
				break;
		if (j == f->name.len)
			return g;
	}
	return NULL;
}

static int put_enriched(const enrich_ctx_t *ctx, const audit_field_t *g,
                        buf_t *out)
{
	size_t ul = strlen(UNKNOWN_PREFIX);

	if (g->value.len >= ul && memcmp(g->value.p, UNKNOWN_PREFIX, ul) == 0)
		return 0;
	if (g->enc == AUDIT_ENC_BRACED) {   /* SADDR={ ... } */
		buf_puts(out, "{ ");
		buf_append(out, g->value.p, g->value.len);
		buf_puts(out, " }");
		return 1;
	}
	enrich_decode(ctx, g, out);
	return 1;
}

/* ---- interpretation ----------------------------------------------------- */

/* A uid/gid: -1 is "unset" everywhere; other ids only where the policy
 * lets this host's database speak for the record's origin. */
static int put_id(enrich_t *e, const enrich_ctx_t *ctx, enum id_kind kind,
                  const char *val, int base, buf_t *out)
{
	unsigned long long id;

	if (!interp_parse_ull(val, base, &id))
		return 0;
	if (id == INTERP_ID_UNSET)
		return interp_id_special(id, out);
	if (!record_ids(e, ctx))
		return 0;
	if (interp_id_special(id, out))
		return 1;
	resolve_id(e, kind, id, out);
	return 1;
}

static int interpret_value(enrich_t *e, const enrich_ctx_t *ctx,
                           enum kind k, const interp_arg_t *a, buf_t *out)
{
	int rc;

	if (k == K_UID || k == K_GID)
		return put_id(e, ctx, k == K_UID ? ID_USER : ID_GROUP, a->val,
		              DEC_BASE, out);
	if ((size_t)k >= ARRAY_LEN(kind_fns) || kind_fns[k] == NULL)
		return 0;
	rc = kind_fns[k](a, out);
	if (rc == INTERP_WANT_UID || rc == INTERP_WANT_GID) {
		if (put_id(e, ctx, rc == INTERP_WANT_UID ? ID_USER : ID_GROUP,
		           a->val, HEX_BASE, out))
			return 1;
		buf_puts(out, "0x");
		buf_puts(out, a->val);
		return 1;
	}
	return rc;
}

static int interpret(enrich_t *e, const enrich_ctx_t *ctx, const audit_field_t *f,
                     buf_t *out, int look_for_enriched)
{
	char small[VALUE_STACK_MAX], *val;
	const audit_field_t *g;
	interp_arg_t a;
	enum kind k;
	uint64_t key;
	int rc, indexed;

	if ((f->flags & AUDIT_FIELD_INTERPRETED) || f->name.len >= FIELD_NAME_MAX ||
	    f->value.len > VALUE_COPY_MAX)
		return 0;
	/* the parser keyed and hashed the name already (an indexed record's
	 * fields) */
	indexed = ctx->rec != NULL && ctx->rec->indexed;
	key = indexed ? f->key : audit_name_key(f->name.p, f->name.len);
	k = kind_of(ctx->rec ? ctx->rec->type : 0, f->name, key,
	            indexed ? f->hash : audit_name_hash_key(key, f->name.len));
	g = look_for_enriched ? enriched_of(ctx->rec, f) : NULL;
	if (g != NULL && put_enriched(ctx, g, out))
		return 1;
	if (k == K_NONE || f->enc == AUDIT_ENC_NULL ||
	    (f->enc == AUDIT_ENC_HEX && k != K_TTY_DATA))
		return 0;
	/* the interpreters take a C string: a copy on the stack, as nearly
	 * every value is a short number or word */
	val = f->value.len < sizeof(small) ? small : malloc(f->value.len + 1);
	if (val == NULL)
		return 0;
	buf_copy(val, f->value.p, f->value.len);   /* a few bytes: inline */
	val[f->value.len] = '\0';
	a.val = val;
	a.quoted = f->enc == AUDIT_ENC_QUOTED;
	/* only the syscall's name and its arguments' interpretations read the
	 * record's facts: the other fields do not look them up */
	if (k == K_SYSCALL || k == K_A0 || k == K_A1 || k == K_A2 || k == K_A3) {
		record_facts(ctx, &a);
	} else {
		a.machine = -1;
		a.syscall = -1;
		a.a0 = a.a1 = 0;
	}
	rc = interpret_value(e, ctx, k, &a, out);
	if (val != small)
		free(val);
	return rc;
}

int enrich_interpret(enrich_t *e, const enrich_ctx_t *ctx, const audit_field_t *f,
                     buf_t *out)
{
	return interpret(e, ctx, f, out, 1);
}

int enrich_interpret_computed(enrich_t *e, const enrich_ctx_t *ctx,
                              const audit_field_t *f, buf_t *out)
{
	return interpret(e, ctx, f, out, 0);
}

/* ---- argv ------------------------------------------------------------------ */

/* IDX * 10 + the digit C, or -1 when that is beyond EXECVE_MAX_INDEX */
static long execve_index_digit(long idx, char c)
{
	if (idx > (EXECVE_MAX_INDEX - (c - '0')) / DEC_BASE)
		return -1;
	return idx * DEC_BASE + (c - '0');
}

/* "aN" -> N with *PIECE = -1, "aN[i]" -> N with *PIECE = i; -1 otherwise,
 * also when N or i is beyond EXECVE_MAX_INDEX (no such argument). */
static long execve_arg_index(audit_view_t n, long *piece)
{
	size_t i = 1;
	long idx = 0, pc = 0;

	if (n.len < 2 || n.p[0] != 'a' || !isdigit((unsigned char)n.p[1]))
		return -1;
	for (; i < n.len && isdigit((unsigned char)n.p[i]); i++)
		if ((idx = execve_index_digit(idx, n.p[i])) < 0)
			return -1;
	if (i == n.len) {
		*piece = -1;
		return idx;
	}
	if (n.p[i] != '[' || n.p[n.len - 1] != ']' || i + 2 >= n.len)
		return -1;
	for (i++; i < n.len - 1; i++) {
		if (!isdigit((unsigned char)n.p[i]) ||
		    (pc = execve_index_digit(pc, n.p[i])) < 0)
			return -1;
	}
	*piece = pc;
	return idx;
}

/* the value of F as bytes: hex undone, anything else as written */
static void value_bytes(const audit_field_t *f, buf_t *out)
{
	if (f->enc != AUDIT_ENC_HEX || !interp_unhex(f->value.p, f->value.len, out))
		buf_append(out, f->value.p, f->value.len);
}

/* EXECVE arguments, walked over one or more records: a long argument's
 * pieces (aN[0], aN[1], ...) may continue in the next record. */
typedef struct argv_walk {
	buf_t *scratch;
	enrich_arg_fn emit;
	void *ud;
	long open;      /* the argument whose pieces are being joined, or -1 */
	size_t n;       /* arguments emitted */
} argv_walk_t;

static void argv_close(argv_walk_t *w)
{
	if (w->open < 0)
		return;
	w->emit(w->scratch->p, w->scratch->len, w->ud);
	w->n++;
	w->open = -1;
}

static void argv_feed(argv_walk_t *w, const audit_record_t *r)
{
	size_t i;
	long idx, piece;

	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];

		if ((idx = execve_arg_index(f->name, &piece)) < 0)
			continue;   /* argc, aN_len */
		if (w->open >= 0 && (piece < 0 || idx != w->open))
			argv_close(w);   /* the pieces of OPEN are done */
		if (piece < 0) {
			buf_reset(w->scratch);
			value_bytes(f, w->scratch);
			w->emit(w->scratch->p, w->scratch->len, w->ud);
			w->n++;
			continue;
		}
		if (w->open < 0) {
			buf_reset(w->scratch);
			w->open = idx;
		}
		value_bytes(f, w->scratch);
	}
}

static int is_type(const audit_record_t *r, const char *name)
{
	return r->type_str != NULL && strcmp(r->type_str, name) == 0;
}

static int proctitle_argv(const audit_record_t *r, buf_t *scratch,
                          enrich_arg_fn emit, void *ud)
{
	const audit_field_t *f = audit_record_field(r, PROCTITLE_NAME);
	const char *p, *end, *nul;
	size_t n = 0;

	if (f == NULL)
		return 0;
	value_bytes(f, scratch);
	for (p = scratch->p, end = p + scratch->len; p != NULL && p < end; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			nul = end;
		emit(p, (size_t)(nul - p), ud);
		n++;
	}
	return (int)n;
}

int enrich_argv(const audit_record_t *r, buf_t *scratch, enrich_arg_fn emit, void *ud)
{
	return enrich_event_argv(&r, 1, r, scratch, emit, ud);
}

int enrich_event_argv(const audit_record_t *const *recs, size_t nrecs,
                      const audit_record_t *r, buf_t *scratch,
                      enrich_arg_fn emit, void *ud)
{
	argv_walk_t w = { scratch, emit, ud, -1, 0 };
	size_t i;

	buf_reset(scratch);
	if (is_type(r, "PROCTITLE"))
		return proctitle_argv(r, scratch, emit, ud);
	if (!is_type(r, "EXECVE"))
		return -1;
	for (i = 0; i < nrecs && recs[i] != r; i++)
		if (is_type(recs[i], "EXECVE"))
			return -1;      /* the event's first EXECVE carries it */
	if (i == nrecs)
		return -1;          /* R is not one of RECS */
	for (; i < nrecs; i++)
		if (is_type(recs[i], "EXECVE"))
			argv_feed(&w, recs[i]);
	argv_close(&w);
	return (int)w.n;
}
