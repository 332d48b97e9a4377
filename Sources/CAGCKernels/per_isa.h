// Kernels written once as plain C bodies (`name##_body`, marked BODY) and compiled for every
// instruction set, so that the compiler vectorizes each for its target; DISPATCH picks the copy
// for the instruction set chosen at run time. Private to CAGCKernels.
#ifndef AGC_PER_ISA_H
#define AGC_PER_ISA_H
#include "agc_kernels.h"

#define BODY static inline __attribute__((always_inline))

#if defined(__x86_64__)
#define PER_ISA(name, params, args)                                                                       \
    static void name##_portable params { name##_body args; }                                              \
    __attribute__((target("avx2"))) static void name##_avx2 params { name##_body args; }                  \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) static void name##_avx512 params {       \
        name##_body args;                                                                                 \
    }
#define DISPATCH(isa, name, args)                                                 \
    do {                                                                          \
        if ((isa) == AGC_ISA_AVX512VNNI) name##_avx512 args;                      \
        else if ((isa) == AGC_ISA_AVX2 || (isa) == AGC_ISA_AVXVNNI) name##_avx2 args; \
        else name##_portable args;                                                \
    } while (0)
#else
#define PER_ISA(name, params, args) static void name##_portable params { name##_body args; }
#define DISPATCH(isa, name, args) name##_portable args
#endif

#endif
