"""Kernel stages, one module per kernel family, registered here by their design-file name."""
from .biquad import Biquad
from .channel import Ns, Vad
from .emphasis import Deemph, Preemph
from .fft import Fft, Ifft, Irfft, Rfft
from .fir import Decimate, Fir, Interpolate
from .gain import Gain
from .stft import Istft, Stft

#: design-file ``kernel`` name -> Stage class. Kernels named in PLANNED (none at present) are
#: refused with a message saying they are not built yet.
REGISTRY = {cls.kernel: cls for cls in (Gain, Preemph, Deemph, Biquad, Fir, Decimate, Interpolate,
                                        Fft, Ifft, Rfft, Irfft, Stft, Istft, Vad, Ns)}

PLANNED = ()
