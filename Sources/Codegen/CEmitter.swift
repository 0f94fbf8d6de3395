import IR
import Checker
