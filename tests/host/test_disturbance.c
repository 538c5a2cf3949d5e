/* The bench's judgement of a disturbed row (tools/lib/disturbance.c): a
 * steady row passes; an unsteady run, a moving roofline and all cores
 * slower than one are each named, together when several; one core alone
 * is judged on its own figures; a short buffer still gets one line. */
#include "tests/check.h"
#include "tools/lib/disturbance.h"

static BenchRow steady(void) {
    BenchRow r = {
        .cores = 2,
        .tok_s = {600, 1000},
        .mean_ms = {1.667, 1.0}, .median_ms = {1.6, 0.98},
        .roof_before = {20, 35}, .roof_after = {19, 36},
    };
    return r;
}

TEST(steady_row)
{
    BenchRow r = steady();
    char why[256];
    CHECK(bench_disturbance(&r, why, sizeof why) == 0, "%s", why);
    CHECK(why[0] == 0, "why: %s", why);
    r.mean_ms[1] = 1.2 * r.median_ms[1];           /* below the threshold */
    r.roof_after[0] = 0.85 * r.roof_before[0];
    CHECK(bench_disturbance(&r, why, sizeof why) == 0, "%s", why);
}

TEST(unsteady_run)
{
    BenchRow r = steady();
    char why[256];
    r.mean_ms[1] = 3.65, r.median_ms[1] = 1.99;     /* the 273.8 tok/s against 1.99 ms */
    CHECK(bench_disturbance(&r, why, sizeof why) == 1, "%s", why);
    CHECK(strstr(why, "on all cores the mean position took 1.8x the median") != NULL, "%s", why);
}

TEST(roofline_moved)
{
    BenchRow r = steady();
    char why[256];
    r.roof_after[1] = 20;
    CHECK(bench_disturbance(&r, why, sizeof why) == 1, "%s", why);
    CHECK(strstr(why, "the all cores roofline moved from 35.0 to 20.0 GB/s") != NULL, "%s", why);
    r = steady();
    r.roof_after[0] = 30;                           /* upwards counts too */
    CHECK(bench_disturbance(&r, why, sizeof why) == 1 && strstr(why, "one core roofline"), "%s", why);
}

TEST(all_cores_slower)
{
    BenchRow r = steady();
    char why[256];
    r.tok_s[1] = 273.8, r.tok_s[0] = 617.7;
    r.mean_ms[1] = 3.65, r.median_ms[1] = 1.99;
    CHECK(bench_disturbance(&r, why, sizeof why) == 2, "%s", why);
    CHECK(strstr(why, "2 cores were slower than one (273.8 against 617.7 tok/s)") != NULL, "%s", why);
    CHECK(strstr(why, "; ") != NULL && strchr(why, '\n') == NULL, "%s", why);
}

TEST(one_core_machine)
{
    BenchRow r = steady();
    char why[256];
    r.cores = 1;
    r.tok_s[1] = 1, r.mean_ms[1] = 100, r.roof_after[1] = 1;   /* unused slots are ignored */
    CHECK(bench_disturbance(&r, why, sizeof why) == 0, "%s", why);
    r.mean_ms[0] = 2 * r.median_ms[0];
    CHECK(bench_disturbance(&r, why, sizeof why) == 1 && strstr(why, "on one core"), "%s", why);
}

TEST(short_buffer)
{
    BenchRow r = steady();
    char why[24];
    r.tok_s[1] = 100;
    r.roof_after[0] = 1;
    CHECK(bench_disturbance(&r, why, sizeof why) == 2, "count");
    CHECK(strlen(why) < sizeof why, "terminated");
    CHECK(bench_disturbance(&r, NULL, 0) == 2, "no buffer");
}

RUN_TESTS(steady_row, unsteady_run, roofline_moved, all_cores_slower, one_core_machine, short_buffer)
