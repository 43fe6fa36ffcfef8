# The installed package: libraries and headers (lockcheck_library), the
# exported targets lockcheck::<name>, lockcheckConfig.cmake for
# find_package(lockcheck CONFIG), and pkg-config files for the lock
# libraries (lockcheck-lock, lockcheck-redis).
include(CMakePackageConfigHelpers)
set(LOCKCHECK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lockcheck)

install(EXPORT lockcheckTargets NAMESPACE lockcheck:: DESTINATION ${LOCKCHECK_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/lockcheckConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/lockcheckConfig.cmake
                              INSTALL_DESTINATION ${LOCKCHECK_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lockcheckConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lockcheckConfig.cmake ${PROJECT_BINARY_DIR}/lockcheckConfigVersion.cmake
        DESTINATION ${LOCKCHECK_CMAKE_DIR})

foreach(pc lockcheck-lock lockcheck-redis)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
