/* transformers.c — hand-written type transformer for the v4 -> v5 patch.
 *
 * NOT part of the normal build (the Makefile does not list it); only the
 * patch tool compiles it, against v5's kvstore.h.
 *
 * What changed: in v4 an entry's value is a NUL-terminated C string
 * (char *value); in v5 it is a binary-safe, length-prefixed
 * struct sds_value *value.  The default transformer (copy same-named
 * fields, zero new ones) cannot do this: the field keeps its name but
 * changes type and meaning, so the programmer writes it here.
 *
 * Convention (provisional; the checker will define it exactly):
 *   void graft_transform_entry(struct entry_old *old, struct entry *new);
 * is called once per live struct entry, lazily, on the first access by v5
 * code.  `old` is the entry as v4 laid it out; `new` is where the v5 entry
 * goes.  The two may be the SAME storage (the update is done in place,
 * using the type's slop space), so every old field is read before any new
 * field is written.
 */
#include <stdlib.h>
#include <string.h>

#include "kvstore.h" /* v5: struct entry, struct sds_value */

/* v4's struct entry, field for field (see v4/kvstore.h). */
struct entry_old {
    char *key;              /* NUL-terminated */
    char *value;            /* NUL-terminated C string (v4) */
    long long expire_at_ms; /* unix time in ms; 0 = no expiry */
    struct entry *next;     /* bucket chain; the entries it points to are
                               transformed on their own first access */
};

void graft_transform_entry(struct entry_old *old, struct entry *new) {
    /* 1. Read everything from the old representation first. */
    char *key = old->key;
    char *old_value = old->value;
    long long expire_at_ms = old->expire_at_ms;
    struct entry *next = old->next;

    /* 2. Build the new value: a v4 value never contains a NUL, so its
     *    length is strlen().  A NULL value cannot occur in v4; keep the
     *    transformer total anyway and map it to the empty string. */
    size_t len = old_value != NULL ? strlen(old_value) : 0;
    struct sds_value *value = malloc(sizeof(struct sds_value) + len + 1);
    if (value == NULL)
        abort(); /* out of memory in the middle of an update: nothing sane to do */
    value->len = len;
    if (len > 0)
        memcpy(value->data, old_value, len);
    value->data[len] = '\0';

    /* 3. Write the new representation. */
    new->key = key;
    new->value = value;
    new->expire_at_ms = expire_at_ms;
    new->next = next;

    /* 4. The old string is owned by nobody now. */
    free(old_value);
}
