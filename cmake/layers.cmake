# The layer arrows, proven by two probes built on demand by ctest: with the
# lock core's usage requirements only, an include of its own header
# compiles (layer_right_include) and an include of the simulator's does not
# (layer_wrong_include: "sim/world.h" not found). The pair shows the
# failure is the include, not the probe.
foreach(probe right wrong)
  add_library(layer_probe_${probe} OBJECT EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/cmake/layer_probe/${probe}.cc)
  target_link_libraries(layer_probe_${probe} PRIVATE impl)
endforeach()
add_test(NAME layer_right_include
         COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target layer_probe_right)
add_test(NAME layer_wrong_include
         COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target layer_probe_wrong)
set_tests_properties(layer_wrong_include PROPERTIES
                     PASS_REGULAR_EXPRESSION "sim/world.h: No such file|'sim/world.h' file not found")
set_tests_properties(layer_right_include layer_wrong_include PROPERTIES LABELS unit RUN_SERIAL TRUE)
