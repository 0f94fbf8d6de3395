/* REP-6: graft_realloc moves, keeps and drops what the side table knows of
 * the objects in a block, driven directly (no patch file): a type "struct
 * swap" changed at the same size (converted in place, REP-4) and a type
 * "struct grow" that grows (its value moves to the heap, REP-5). Prints
 * "ok" and exits 0, or names the first check that fails. */
#include "graft_runtime.h"
#include "runtime_internal.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct swap_old { long a, b; };
struct swap_new { long b, a; };            /* the same fields, swapped: a second conversion would swap them back */
struct grow_old { long a, b; };
struct grow_new { long a, b, c[6]; };

static struct graft_type_state swap_state, grow_state;
static const struct graft_type swap_v1 = { "struct swap", 1, sizeof(struct swap_old), &swap_state };
static const struct graft_type swap_v2 = { "struct swap", 2, sizeof(struct swap_new), &swap_state };
static const struct graft_type grow_v1 = { "struct grow", 1, sizeof(struct grow_old), &grow_state };
static const struct graft_type grow_v2 = { "struct grow", 2, sizeof(struct grow_new), &grow_state };

static void swap_transform(const void *o, void *n) {
    const struct swap_old *old = o; struct swap_new *new = n;
    new->a = old->a; new->b = old->b;
}
static void grow_transform(const void *o, void *n) {
    const struct grow_old *old = o; struct grow_new *new = n;
    new->a = old->a; new->b = old->b; new->c[0] = 99;
}

static int failed;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s\n", __LINE__, #c); failed = 1; } } while (0)

/* The side table's live entries for a type (graft status's "tracked"). */
static long tracked(const char *type) {
    char *buf = NULL; size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    graft__types_json(f);
    fclose(f);
    char key[64];
    snprintf(key, sizeof key, "\"%s\"", type);
    char *at = strstr(buf, key);
    char *t = at ? strstr(at, "\"tracked\":") : NULL;
    long n = t ? strtol(t + 10, NULL, 10) : -1;
    free(buf);
    return n;
}

static struct swap_new *con_swap(void *p) { return graft_con(&swap_v2, p); }
static struct grow_new *con_grow(void *p) { return graft_con(&grow_v2, p); }

int main(void) {
    const struct graft_type *views[] = { &swap_v1, &grow_v1 };
    graft_register_types(views, 2);
    struct graft_type_update ups[] = {
        { "struct swap", 1, 2, sizeof(struct swap_old), sizeof(struct swap_new), _Alignof(struct swap_new), swap_transform, 0 },
        { "struct grow", 1, 2, sizeof(struct grow_old), sizeof(struct grow_new), _Alignof(struct grow_new), grow_transform, 0 },
    };
    struct graft_patch_info info = { .abi = GRAFT_ABI, .n_types = 2, .types = ups };
    graft__types_commit(&info);

    /* An array of 8 base objects; 0..3 converted in place, 4..7 not. */
    struct swap_old *arr = malloc(8 * sizeof *arr);
    for (long i = 0; i < 8; i++) { arr[i].a = i; arr[i].b = 100 + i; }
    for (int i = 0; i < 4; i++) CHECK(con_swap(&arr[i])->a == i);
    CHECK(tracked("struct swap") == 4);

    /* Grown past a blocker: the block moves; converted entries move with it, unconverted ones stay base. */
    void *blocker = malloc(64);
    void *old_addr = arr;
    struct swap_new *moved = graft_realloc(arr, 64 * 1024);
    CHECK(moved != NULL);
    if ((void *)moved == old_addr) printf("note: realloc did not move the block\n");
    for (int i = 0; i < 8; i++) {
        struct swap_new *v = con_swap((char *)moved + i * sizeof(struct swap_new));
        CHECK(v == (void *)((char *)moved + i * sizeof(struct swap_new)));
        CHECK(v->a == i && v->b == 100 + i);
    }
    CHECK(tracked("struct swap") == 8);

    /* Shrunk to 3 elements: the entries past the end go. */
    struct swap_new *small = graft_realloc(moved, 3 * sizeof *small);
    CHECK(small != NULL);
    CHECK(tracked("struct swap") == 3);
    for (int i = 0; i < 3; i++) CHECK(con_swap(&small[i])->a == i);

    /* A failed realloc changes nothing. */
    CHECK(graft_realloc(small, SIZE_MAX / 2) == NULL);
    CHECK(tracked("struct swap") == 3);
    for (int i = 0; i < 3; i++) CHECK(con_swap(&small[i])->a == i && small[i].b == 100 + i);

    /* realloc(p, 0) frees: every entry goes. */
    graft_realloc(small, 0);
    CHECK(tracked("struct swap") == 0);

    /* A grown object's value is on the heap (REP-5); the block moves, the value stays, found from the new address. */
    struct grow_old *g = malloc(sizeof *g);
    g->a = 7; g->b = 8;
    struct grow_new *val = con_grow(g);
    CHECK((void *)val != (void *)g && val->a == 7 && val->c[0] == 99);
    val->b = 80;
    long before = tracked("struct grow");        /* the object and its heap value */
    void *blocker2 = malloc(64);
    void *g2 = graft_realloc(g, 32 * 1024);
    CHECK(g2 != NULL);
    CHECK(con_grow(g2) == val && val->b == 80);
    CHECK(tracked("struct grow") == before);
    /* Stale entries where a block lands are dropped: an entry at an address no live block has. */
    graft_note(&grow_v2, (char *)g2 + 64);
    CHECK(tracked("struct grow") == before + 1);
    void *g3 = graft_realloc(g2, 16);            /* shrinks: the stale one past the end goes, the object stays */
    CHECK(g3 != NULL && con_grow(g3) == val);
    CHECK(tracked("struct grow") == before);
    graft_free(g3);
    CHECK(tracked("struct grow") == 0);

    free(blocker); free(blocker2);
    if (!failed) printf("ok\n");
    return failed;
}
