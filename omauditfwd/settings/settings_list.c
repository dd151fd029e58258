/* settings_list.c -- the table as text: the type of a setting in a word,
 * and --list-settings (the lines param_docs.sh and man_page.sh read). */
#include <string.h>

#include "settings.h"

const char *settings_type_text(const setting_t *s, char *buf, size_t len)
{
	switch (s->type) {
	case SETTING_BOOL:
		return "on | off";
	case SETTING_INT:
		snprintf(buf, len, "%lld-%lld", s->min, s->max);
		return buf;
	case SETTING_SIZE:
		snprintf(buf, len, "size, %s%lld-%lld", s->flags & SETTING_ZERO_OK ? "0 or " : "",
		         s->min, s->max);
		return buf;
	case SETTING_PORT:
		return "1-65535";
	case SETTING_LIST:
		return "list (repeatable)";
	case SETTING_ENUM:
	case SETTING_WORD:
		snprintf(buf, len, "%s", settings_allowed(s));
		return buf;
	default:
		return "text";
	}
}

void settings_list(FILE *f)
{
	const setting_t *t = settings_table();
	char type[SETTINGS_TEXT_MAX], tr[SETTINGS_TEXT_MAX];
	size_t i;

	for (i = 0; i < SET_COUNT; i++) {
		settings_transports_text(&t[i], tr, sizeof(tr));
		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t[i].name,
		        settings_type_text(&t[i], type, sizeof(type)), t[i].dflt, tr,
		        t[i].format != NULL ? t[i].format : "any",
		        t[i].flags & SETTING_RSYSLOG_ONLY ? "rsyslog-only" :
		        t[i].flags & SETTING_CLI_ONLY ? "cli-only" : "both",
		        t[i].alias != NULL ? t[i].alias : "-", t[i].help, t[i].stored);
	}
}
