/*
 * cli_devices.c — `mote info --devices`: the CPU (its best kernel table
 * and physical cores) and, in a build with OpenCL, every platform and
 * device: compute units, clock, memory, FP32 and FP16 support, the GEMM
 * tile mote builds for it, whether its program came from the on-disk cache,
 * and the FP32 peak measured by a short FMA loop on the device.
 */
#include "config.h"
#include "cli.h"

#include "runtime/cpu.h"
#include "runtime/threadpool.h"
#ifdef MOTE_HAVE_OPENCL
#include "runtime/opencl/opencl.h"
#endif

#ifdef MOTE_HAVE_OPENCL
static void print_opencl(void)
{
    mote_cl_desc d[32];
    int n = 0;
    mote_status st = mote_cl_list(d, 32, &n);
    if (st) {
        printf("OpenCL: %s\n", mote_last_error());
        return;
    }
    char dir[400];
    mote_cl_cache_dir(dir, sizeof dir);
    printf("OpenCL: %d device%s (program cache: %s)\n", n, n == 1 ? "" : "s", dir[0] ? dir : "off");
    int last_platform = -1;
    for (int i = 0; i < n && i < 32; i++) {
        char b1[32], b2[32];
        if (d[i].platform != last_platform) {
            printf("  platform %d: %s (%s)\n", d[i].platform, d[i].platform_name, d[i].platform_version);
            last_platform = d[i].platform;
        }
        printf("    opencl:%d:%d  %s (%s)\n", d[i].platform, d[i].device, d[i].name,
               d[i].is_gpu ? "GPU" : d[i].is_cpu ? "CPU" : "accelerator");
        printf("      %s, driver %s\n", d[i].version, d[i].driver);
        printf("      compute units %u at %u MHz, global memory %s (one buffer up to %s), local %llu KiB\n",
               d[i].compute_units, d[i].clock_mhz, cli_bytes((double)d[i].global_mem, b1),
               cli_bytes((double)d[i].max_alloc, b2), (unsigned long long)(d[i].local_mem / 1024));
        printf("      FP32 yes, FP16 %s, FP64 %s, work-group up to %zu\n", d[i].fp16 ? "yes" : "no",
               d[i].fp64 ? "yes" : "no", d[i].max_wg);
        mote_cl *cl;
        if (mote_cl_open(d[i].platform, d[i].device, &cl) != MOTE_OK) {
            printf("      cannot use it: %s\n", mote_last_error());
            continue;
        }
        const char *tsrc, *file, *note;
        mote_cl_gemm_tile t = mote_cl_tile(cl, &tsrc);
        const char *origin = mote_cl_program_origin(cl, &file, &note);
        printf("      GEMM tile %dx%dx%d, %dx%d per work-item%s (%s); program %s%s%s%s\n",
               t.tsm, t.tsn, t.tsk, t.wptm, t.wptn, t.dm > 0 ? ", direct GEMM" : "", tsrc, origin,
               file[0] ? " (" : "", file[0] ? "cached" : "", file[0] ? ")" : "");
        if (note[0]) printf("      cache: %s\n", note);
        double peak;
        if (mote_cl_probe_peak(cl, &peak) == MOTE_OK)
            printf("      measured FP32 peak: %.1f GFLOP/s (FMA loop)\n", peak);
        else
            printf("      probe failed: %s\n", mote_last_error());
        mote_cl_close(cl);
    }
}
#endif

int cli_print_devices(void)
{
    printf("cpu: kernel table %s, %d physical cores\n", mote_cpu_best_isa(), mote_physical_cores());
#ifdef MOTE_HAVE_OPENCL
    print_opencl();
#else
    printf("OpenCL: not in this build (./configure --enable-opencl)\n");
#endif
    return CLI_OK;
}
