// Compiled with impl's include path only (layer_wrong_include): the lock
// core may not see the simulator, so this must fail to compile.
#include "impl/lock.h"
#include "sim/world.h"
