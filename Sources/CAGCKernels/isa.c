#include "agc_kernels.h"

int agc_isa_supported(agc_isa isa) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    switch (isa) {
    case AGC_ISA_PORTABLE: return 1;
    case AGC_ISA_AVX2: return __builtin_cpu_supports("avx2");
    case AGC_ISA_AVXVNNI: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni");
    case AGC_ISA_AVX512VNNI:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    }
    return 0;
#else
    return isa == AGC_ISA_PORTABLE;
#endif
}

agc_isa agc_isa_best(void) {
    for (int isa = AGC_ISA_AVX512VNNI; isa > AGC_ISA_PORTABLE; isa--) {
        if (agc_isa_supported((agc_isa)isa)) return (agc_isa)isa;
    }
    return AGC_ISA_PORTABLE;
}
