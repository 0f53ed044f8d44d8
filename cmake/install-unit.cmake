# SPDX-License-Identifier: GPL-2.0
# install-unit.cmake - install rtnoise-monitor.service with ExecStart at
# the installed rtnoise: the prefix is known only when cmake --install
# (or CPack) runs, so the unit is written then.
# In: UNIT_IN (the .in file), UNIT_OUT (where to write it), UNIT_DIR and
# BINDIR (under the prefix, or absolute). file(INSTALL) adds DESTDIR.
foreach(var UNIT_DIR BINDIR)
  if(IS_ABSOLUTE "${${var}}")
    set(${var}_FULL "${${var}}")
  else()
    set(${var}_FULL "${CMAKE_INSTALL_PREFIX}/${${var}}")
  endif()
endforeach()
file(READ "${UNIT_IN}" unit)
string(REPLACE "@RTNOISE_BINARY@" "${BINDIR_FULL}/rtnoise" unit "${unit}")
file(WRITE "${UNIT_OUT}" "${unit}")
file(INSTALL "${UNIT_OUT}" DESTINATION "${UNIT_DIR_FULL}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
