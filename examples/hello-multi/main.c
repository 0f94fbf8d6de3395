#include <stdio.h>
#include "shapes.h"

/* Same name as the static in shapes.c: each unit keeps its own. */
static int counter;

static const struct shape shapes[] = {
    { RECT, "door", 2.0, 1.0 },
    { TRIANGLE, "sail", 3.0, 4.0 },
    { CIRCLE, "coin", 1.5, 0.0 },
    { RECT, "tile", 0.5, 0.5 },
};

int main(void) {
    for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        double area = shape_area(&shapes[i]);
        report_line(next_id(), &shapes[i], area);
        counter++;
    }
    double sum = 0;
    int lines = report_total(&sum);
    printf("%d shapes, %d lines, %d area calls, total area %.3f\n", counter, lines, shape_calls(), sum);
    return counter == lines ? 0 : 1;
}
