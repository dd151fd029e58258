/* settings_store.h -- the transport settings stored where the table's
 * "stored" column says (transport_conf_t and its backends' members), for
 * both front ends: they hand a checked value and the setting's id, and
 * never name a backend's field.
 *
 * Ownership: text and lists are the caller's, borrowed by the
 * transport_conf_t as its rule says (transport.h): they must live until
 * the transports are created.
 */
#ifndef AUDITFWD_SETTINGS_STORE_H
#define AUDITFWD_SETTINGS_STORE_H

#include "settings.h"
#include "transport.h"

/* 1 when setting ID is kept in transport_conf_t (its "stored" column
 * names it), else 0 */
int settings_in_transport(setting_id_t id);

/* Store a value the table checked into C: a number (INT, SIZE, BOOL), a
 * text (ENUM, WORD, TEXT, PORT; NULL: none) or a list. 0, or -1 when ID is
 * not a transport setting of that kind (nothing stored). */
int settings_store_number(transport_conf_t *c, setting_id_t id, long long n);
int settings_store_text(transport_conf_t *c, setting_id_t id, const char *s);
int settings_store_list(transport_conf_t *c, setting_id_t id, const char *const *v,
                        size_t n);

#endif
