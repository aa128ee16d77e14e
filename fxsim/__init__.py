"""fxsim: a fixed-point embedded-DSP simulator and bit-exact C code generator."""
__version__ = "0.1.0"
