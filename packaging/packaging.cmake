# SPDX-License-Identifier: GPL-2.0
# packaging.cmake - what `cmake --install` puts where, and the two .deb
# packages CPack makes of it (`cpack --config CPackConfig.cmake` in the
# build tree; the package tests run it):
#
#   rtnoise       component cli: bin/rtnoise, its man page, bash and zsh
#                 completion, the rtnoise-monitor systemd unit, the
#                 Prometheus rules and Grafana dashboard (examples),
#                 README, copyright and changelog
#   rtnoise-dkms  component dkms: the module's source and dkms.conf in
#                 /usr/src/rtnoise-<version>/, built by DKMS for every
#                 kernel with headers
#
# The licence texts (LICENSES/, component licenses) are installed by
# cmake --install only: a Debian package states its licences in its
# copyright file.

find_program(HELP2MAN help2man REQUIRED)
find_program(GZIP gzip REQUIRED)

set(pkg_src ${CMAKE_CURRENT_SOURCE_DIR}/packaging)
set(pkg_out ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${pkg_out})

set(RTNOISE_MAINTAINER "Seed 67b2f4c4 maintainers <maintainers@users.noreply.r-seed-67b2f4c4.example>"
    CACHE STRING "Maintainer of the .deb packages (and contact in their copyright file)")
# DKMS reads module sources from /usr/src (its source_tree); a prefix of
# one's own keeps them under it.
if(CMAKE_INSTALL_PREFIX MATCHES "^/usr(/local)?$")
  set(dkms_default /usr/src)
else()
  set(dkms_default ${CMAKE_INSTALL_PREFIX}/src)
endif()
set(RTNOISE_DKMS_SOURCE_DIR ${dkms_default} CACHE PATH
    "Where rtnoise-<version>/ goes, the module's source for DKMS")
set(RTNOISE_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    CACHE PATH "Where the bash completion goes (bash-completion loads it on demand)")
set(RTNOISE_SYSTEMD_UNIT_DIR lib/systemd/system CACHE STRING
    "Where rtnoise-monitor.service goes (relative: under the prefix)")
set(RTNOISE_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
    CACHE PATH "Where the zsh completion goes (a directory of zsh's fpath)")

# ---- the man page, from the CLI's own help -----------------------------------
add_custom_command(
  OUTPUT ${pkg_out}/rtnoise.8 ${pkg_out}/rtnoise.8.gz
  COMMAND ${pkg_src}/man.sh $<TARGET_FILE:rtnoise> ${PROJECT_VERSION}
          ${pkg_src}/rtnoise.h2m ${pkg_out}/rtnoise.8
  COMMAND ${GZIP} -9nkf ${pkg_out}/rtnoise.8
  DEPENDS rtnoise ${pkg_src}/man.sh ${pkg_src}/rtnoise.h2m
  COMMENT "Generating rtnoise.8 from rtnoise's help"
  VERBATIM)

# ---- Debian's changelog and copyright, the maintainer scripts ----------------
configure_file(${pkg_src}/deb/changelog.in ${pkg_out}/changelog @ONLY)
configure_file(${pkg_src}/deb/copyright.in ${pkg_out}/copyright @ONLY)
foreach(script postinst prerm)
  configure_file(${pkg_src}/deb/rtnoise-dkms.${script}.in ${pkg_out}/dkms/${script} @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                  GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
configure_file(${pkg_src}/deb/rtnoise.prerm ${pkg_out}/cli/prerm COPYONLY)
add_custom_command(
  OUTPUT ${pkg_out}/changelog.gz
  COMMAND ${GZIP} -9nkf ${pkg_out}/changelog
  DEPENDS ${pkg_out}/changelog
  VERBATIM)
add_custom_target(rtnoise_docs ALL DEPENDS ${pkg_out}/rtnoise.8.gz ${pkg_out}/changelog.gz)

# ---- cmake --install -----------------------------------------------------------
install(TARGETS rtnoise RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(FILES ${pkg_out}/rtnoise.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT cli)
install(FILES ${pkg_src}/completion/rtnoise.bash DESTINATION ${RTNOISE_BASH_COMPLETION_DIR}
        RENAME rtnoise COMPONENT cli)
install(FILES ${pkg_src}/completion/_rtnoise DESTINATION ${RTNOISE_ZSH_COMPLETION_DIR}
        COMPONENT cli)
# The unit names the installed binary: written at install time, when the
# prefix (the package's, /usr) is known.
install(CODE "set(UNIT_IN \"${pkg_src}/systemd/rtnoise-monitor.service.in\")
              set(UNIT_OUT \"${pkg_out}/rtnoise-monitor.service\")
              set(UNIT_DIR \"${RTNOISE_SYSTEMD_UNIT_DIR}\")
              set(BINDIR \"${CMAKE_INSTALL_BINDIR}\")"
        COMPONENT cli)
install(SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/cmake/install-unit.cmake COMPONENT cli)
install(FILES README.md ${pkg_out}/copyright ${pkg_out}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT cli)
# The fleet's side: alerting rules and a dashboard to copy into
# Prometheus and Grafana.
install(FILES ${pkg_src}/prometheus/rtnoise-rules.yml ${pkg_src}/grafana/rtnoise-dashboard.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT cli)

set(dkms_dest ${RTNOISE_DKMS_SOURCE_DIR}/rtnoise-${PROJECT_VERSION})
install(FILES kmod/dkms.conf kmod/Kbuild kmod/Makefile kmod/rtnoise.c kmod/rtnoise_abi.h
              kmod/rtnoise_ring.h kmod/rtnoise_trace.h
        DESTINATION ${dkms_dest} COMPONENT dkms)
install(FILES ${pkg_out}/copyright ${pkg_out}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/rtnoise-dkms COMPONENT dkms)

install(DIRECTORY LICENSES DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT licenses)

# ---- CPack: rtnoise and rtnoise-dkms -----------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rtnoise)
set(CPACK_PACKAGE_VENDOR "The rtnoise developers")
set(CPACK_PACKAGE_CONTACT ${RTNOISE_MAINTAINER})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli dkms)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME rtnoise)
set(CPACK_DEBIAN_CLI_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_CLI_PACKAGE_RECOMMENDS rtnoise-dkms)
set(CPACK_DEBIAN_CLI_PACKAGE_SUGGESTS "rt-tests, rtla")
set(CPACK_DEBIAN_CLI_PACKAGE_CONTROL_EXTRA ${pkg_out}/cli/prerm)
set(CPACK_COMPONENT_CLI_DESCRIPTION
"measure, explain and remove the noise on isolated CPUs
rtnoise finds out what still disturbs the CPUs that a latency-critical
workload owns, how much, and what to do about each source. A kernel
module samples the IRQ and thread latency of a pinned hrtimer on each
watched CPU (as cyclictest, split as rtla timerlat splits it); BPF
programs charge every disturbance to its source and explain each latency
spike when it is recorded. rtnoise also audits a host's CPU isolation,
isolates CPUs at run time and puts them back, and prints boot parameters
and libvirt guests for a layout.
.
The module comes in rtnoise-dkms.")

set(CPACK_DEBIAN_DKMS_PACKAGE_NAME rtnoise-dkms)
set(CPACK_DEBIAN_DKMS_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DKMS_PACKAGE_SECTION kernel)
# pahole: the module's BTF step on kernels built with it (Debian's 6.12 on).
set(CPACK_DEBIAN_DKMS_PACKAGE_DEPENDS "dkms, dwarves")
set(CPACK_DEBIAN_DKMS_PACKAGE_CONTROL_EXTRA "${pkg_out}/dkms/postinst;${pkg_out}/dkms/prerm")
set(CPACK_COMPONENT_DKMS_DESCRIPTION
"rtnoise's latency sampler module, source for DKMS
rtnoise.ko samples, on each CPU rtnoise watches, the IRQ latency and the
thread latency of a pinned hrtimer, and records every sample over a
threshold as a spike. DKMS builds it for every kernel with headers
installed, and again for each new kernel; rtnoise attach loads it with
modprobe.")

include(CPack)
