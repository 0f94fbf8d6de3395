// The library functions gcc treats as builtins under their plain names:
// every DEF_LIB_BUILTIN, DEF_EXT_LIB_BUILTIN, DEF_C94/C99/C11/C2X_BUILTIN,
// DEF_C99_COMPL_BUILTIN, DEF_C99_C90RES_BUILTIN, DEF_EXT_C99RES_BUILTIN and
// DEF_EXT_LIB_FLOATN_NX_BUILTINS of gcc 12's gcc/builtins.def. A program
// that defines a function of one of these names (with external linkage)
// still has its calls folded by gcc as the builtin (`llabs(a)` computed in
// place, `floor((double)f)` narrowed to `floorf(f)`, `__vprintf_chk` turned
// into `vprintf`), so an updatable build calls such a function by name —
// its trampoline — never through its slot, which gcc could not fold
// (bench/zero-diff-failures.md, cause 2).

extension Slots {
    /// Whether gcc treats a function of this name with external linkage as a library builtin.
    public static func isLibraryBuiltinName(_ name: String) -> Bool { libraryBuiltinNames.contains(name) }

    static let libraryBuiltinNames: Set<String> = [
        "_Exit", "__clear_cache", "__fprintf_chk", "__memcpy_chk", "__memmove_chk", "__mempcpy_chk",
        "__memset_chk", "__printf_chk", "__snprintf_chk", "__sprintf_chk", "__stpcpy_chk",
        "__stpncpy_chk", "__strcat_chk", "__strcpy_chk", "__strncat_chk", "__strncpy_chk",
        "__vfprintf_chk", "__vprintf_chk", "__vsnprintf_chk", "__vsprintf_chk", "_exit", "abort",
        "abs", "acos", "acosf", "acosh", "acoshf", "acoshl", "acosl", "aligned_alloc", "alloca",
        "asin", "asinf", "asinh", "asinhf", "asinhl", "asinl", "atan", "atan2", "atan2f", "atan2l",
        "atanf", "atanh", "atanhf", "atanhl", "atanl", "bcmp", "bcopy", "bzero", "cabs", "cabsf",
        "cabsl", "cacos", "cacosf", "cacosh", "cacoshf", "cacoshl", "cacosl", "calloc", "carg",
        "cargf", "cargl", "casin", "casinf", "casinh", "casinhf", "casinhl", "casinl", "catan",
        "catanf", "catanh", "catanhf", "catanhl", "catanl", "cbrt", "cbrtf", "cbrtl", "ccos", "ccosf",
        "ccosh", "ccoshf", "ccoshl", "ccosl", "ceil", "ceilf", "ceilf128", "ceilf128x", "ceilf16",
        "ceilf32", "ceilf32x", "ceilf64", "ceilf64x", "ceill", "cexp", "cexpf", "cexpl", "cimag",
        "cimagf", "cimagl", "clog", "clog10", "clog10f", "clog10l", "clogf", "clogl", "conj", "conjf",
        "conjl", "copysign", "copysignf", "copysignf128", "copysignf128x", "copysignf16",
        "copysignf32", "copysignf32x", "copysignf64", "copysignf64x", "copysignl", "cos", "cosf",
        "cosh", "coshf", "coshl", "cosl", "cpow", "cpowf", "cpowl", "cproj", "cprojf", "cprojl",
        "creal", "crealf", "creall", "csin", "csinf", "csinh", "csinhf", "csinhl", "csinl", "csqrt",
        "csqrtf", "csqrtl", "ctan", "ctanf", "ctanh", "ctanhf", "ctanhl", "ctanl", "dcgettext",
        "dgettext", "drem", "dremf", "dreml", "erf", "erfc", "erfcf", "erfcl", "erff", "erfl", "execl",
        "execle", "execlp", "execv", "execve", "execvp", "exit", "exp", "exp10", "exp10f", "exp10l",
        "exp2", "exp2f", "exp2l", "expf", "expl", "expm1", "expm1f", "expm1l", "fabs", "fabsd128",
        "fabsd32", "fabsd64", "fabsf", "fabsf128", "fabsf128x", "fabsf16", "fabsf32", "fabsf32x",
        "fabsf64", "fabsf64x", "fabsl", "fdim", "fdimf", "fdiml", "feclearexcept", "fegetenv",
        "fegetexceptflag", "fegetround", "feholdexcept", "feraiseexcept", "fesetenv",
        "fesetexceptflag", "fesetround", "fetestexcept", "feupdateenv", "ffs", "ffsimax", "ffsl",
        "ffsll", "finite", "finited128", "finited32", "finited64", "finitef", "finitel", "floor",
        "floorf", "floorf128", "floorf128x", "floorf16", "floorf32", "floorf32x", "floorf64",
        "floorf64x", "floorl", "fma", "fmaf", "fmaf128", "fmaf128x", "fmaf16", "fmaf32", "fmaf32x",
        "fmaf64", "fmaf64x", "fmal", "fmax", "fmaxf", "fmaxf128", "fmaxf128x", "fmaxf16", "fmaxf32",
        "fmaxf32x", "fmaxf64", "fmaxf64x", "fmaxl", "fmin", "fminf", "fminf128", "fminf128x",
        "fminf16", "fminf32", "fminf32x", "fminf64", "fminf64x", "fminl", "fmod", "fmodf", "fmodl",
        "fork", "fprintf", "fprintf_unlocked", "fputc", "fputc_unlocked", "fputs", "fputs_unlocked",
        "free", "frexp", "frexpf", "frexpl", "fscanf", "fwrite", "fwrite_unlocked", "gamma", "gamma_r",
        "gammaf", "gammaf_r", "gammal", "gammal_r", "gettext", "hypot", "hypotf", "hypotl", "ilogb",
        "ilogbf", "ilogbl", "imaxabs", "index", "isalnum", "isalpha", "isascii", "isblank", "iscntrl",
        "isdigit", "isgraph", "isinf", "isinfd128", "isinfd32", "isinfd64", "isinff", "isinfl",
        "islower", "isnan", "isnand128", "isnand32", "isnand64", "isnanf", "isnanl", "isprint",
        "ispunct", "isspace", "isupper", "iswalnum", "iswalpha", "iswblank", "iswcntrl", "iswdigit",
        "iswgraph", "iswlower", "iswprint", "iswpunct", "iswspace", "iswupper", "iswxdigit",
        "isxdigit", "j0", "j0f", "j0l", "j1", "j1f", "j1l", "jn", "jnf", "jnl", "labs", "ldexp",
        "ldexpf", "ldexpl", "lgamma", "lgamma_r", "lgammaf", "lgammaf_r", "lgammal", "lgammal_r",
        "llabs", "llrint", "llrintf", "llrintl", "llround", "llroundf", "llroundl", "log", "log10",
        "log10f", "log10l", "log1p", "log1pf", "log1pl", "log2", "log2f", "log2l", "logb", "logbf",
        "logbl", "logf", "logl", "lrint", "lrintf", "lrintl", "lround", "lroundf", "lroundl", "malloc",
        "memchr", "memcmp", "memcpy", "memmove", "mempcpy", "memset", "modf", "modff", "modfl", "nan",
        "nand128", "nand32", "nand64", "nanf", "nanf128", "nanf128x", "nanf16", "nanf32", "nanf32x",
        "nanf64", "nanf64x", "nanl", "nearbyint", "nearbyintf", "nearbyintf128", "nearbyintf128x",
        "nearbyintf16", "nearbyintf32", "nearbyintf32x", "nearbyintf64", "nearbyintf64x", "nearbyintl",
        "nextafter", "nextafterf", "nextafterl", "nexttoward", "nexttowardf", "nexttowardl",
        "posix_memalign", "pow", "pow10", "pow10f", "pow10l", "powf", "powl", "printf",
        "printf_unlocked", "putc", "putc_unlocked", "putchar", "putchar_unlocked", "puts",
        "puts_unlocked", "realloc", "remainder", "remainderf", "remainderl", "remquo", "remquof",
        "remquol", "rindex", "rint", "rintf", "rintf128", "rintf128x", "rintf16", "rintf32",
        "rintf32x", "rintf64", "rintf64x", "rintl", "round", "roundeven", "roundevenf",
        "roundevenf128", "roundevenf128x", "roundevenf16", "roundevenf32", "roundevenf32x",
        "roundevenf64", "roundevenf64x", "roundevenl", "roundf", "roundf128", "roundf128x", "roundf16",
        "roundf32", "roundf32x", "roundf64", "roundf64x", "roundl", "scalb", "scalbf", "scalbl",
        "scalbln", "scalblnf", "scalblnl", "scalbn", "scalbnf", "scalbnl", "scanf", "signbit",
        "signbitd128", "signbitd32", "signbitd64", "signbitf", "signbitl", "significand",
        "significandf", "significandl", "sin", "sincos", "sincosf", "sincosl", "sinf", "sinh", "sinhf",
        "sinhl", "sinl", "snprintf", "sprintf", "sqrt", "sqrtf", "sqrtf128", "sqrtf128x", "sqrtf16",
        "sqrtf32", "sqrtf32x", "sqrtf64", "sqrtf64x", "sqrtl", "sscanf", "stpcpy", "stpncpy",
        "strcasecmp", "strcat", "strchr", "strcmp", "strcpy", "strcspn", "strdup", "strfmon",
        "strftime", "strlen", "strncasecmp", "strncat", "strncmp", "strncpy", "strndup", "strnlen",
        "strpbrk", "strrchr", "strspn", "strstr", "tan", "tanf", "tanh", "tanhf", "tanhl", "tanl",
        "tgamma", "tgammaf", "tgammal", "toascii", "tolower", "toupper", "towlower", "towupper",
        "trunc", "truncf", "truncf128", "truncf128x", "truncf16", "truncf32", "truncf32x", "truncf64",
        "truncf64x", "truncl", "vfprintf", "vfscanf", "vprintf", "vscanf", "vsnprintf", "vsprintf",
        "vsscanf", "y0", "y0f", "y0l", "y1", "y1f", "y1l", "yn", "ynf", "ynl",
    ]
}
