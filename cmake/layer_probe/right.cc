// Compiled with impl's include path only (layer_right_include): impl's own
// headers are found, so the wrong-include probe fails for the include alone.
#include "impl/lock.h"

int lockcheck_layer_probe_right() { return 0; }
