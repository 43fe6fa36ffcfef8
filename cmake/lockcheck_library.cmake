# lockcheck_library(TARGET FOLDER [EXPORT_NAME name]): the usage
# requirements of the library of one top-level folder.
#
# Layer enforcement: the folder is staged alone under
# <build>/stage/<folder>/<folder> (a symlink), and that stage root, not the
# repository root, is the target's public include path. A target so sees
# `#include "<folder>/x.h"` for its own folder and the folders of what it
# links, and nothing else: `#include "sim/world.h"` from impl/ is "No such
# file". Installed, the headers live under include/lockcheck/<folder>/.
#
# Also: the alias lockcheck::<export name>, the export name, and the
# install rules of the library and its headers (tests and test helpers
# stay out).
function(lockcheck_library target folder)
  cmake_parse_arguments(ARG "" "EXPORT_NAME" "" ${ARGN})
  if(NOT ARG_EXPORT_NAME)
    set(ARG_EXPORT_NAME ${target})
  endif()
  lockcheck_stage(${folder})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/stage/${folder}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/lockcheck>)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${ARG_EXPORT_NAME} OUTPUT_NAME lockcheck_${ARG_EXPORT_NAME})
  add_library(lockcheck::${ARG_EXPORT_NAME} ALIAS ${target})
  install(TARGETS ${target} EXPORT lockcheckTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lockcheck)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${folder}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lockcheck/${folder}
          FILES_MATCHING PATTERN "*.h"
          PATTERN "*_test.h" EXCLUDE
          PATTERN "test_*.h" EXCLUDE)
endfunction()

# The stage root of one folder: <build>/stage/<folder>, holding only a
# symlink <folder> -> the source folder (so edits need no re-stage, and
# compiler messages name the source file).
function(lockcheck_stage folder)
  set(root ${PROJECT_BINARY_DIR}/stage/${folder})
  if(NOT EXISTS ${root}/${folder})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
  endif()
endfunction()

# A non-library target (tests, tools) that includes "<folder>/..." headers
# of a folder it does not link a library of (e.g. tests/ helpers).
function(lockcheck_see target folder)
  lockcheck_stage(${folder})
  target_include_directories(${target} PRIVATE ${PROJECT_BINARY_DIR}/stage/${folder})
endfunction()
