import CClang
import IR
