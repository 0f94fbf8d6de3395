/* Shared between all units: a struct, a function-pointer type, the API. */
#ifndef SHAPES_H
#define SHAPES_H

enum shape_kind { RECT, TRIANGLE, CIRCLE };

struct shape {
    enum shape_kind kind;
    const char *name;
    double a, b;            /* width/height, base/height, radius/unused */
};

typedef double (*area_fn)(const struct shape *);

struct shape_ops {
    const char *label;
    area_fn area;
};

/* shapes.c */
extern const struct shape_ops shape_table[];
double shape_area(const struct shape *s);
int shape_calls(void);

/* ids.c */
int next_id(void);
const char *id_prefix(void);

/* report.c */
void report_line(int id, const struct shape *s, double area);
int report_total(double *sum);

#endif
