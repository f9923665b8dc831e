# Install rules and .deb packages (CPack, DEB generator): `cpack -G DEB` in the build directory
# writes airfleet-agent_<version>_<arch>.deb and airfleet-collector_<version>_<arch>.deb.
#
# - airfleet-agent: the agent, its unit, /etc/airfleet/agent.yaml (conffile).
# - airfleet-collector: the collector, airfleetctl, its unit, /etc/airfleet/collector.yaml.
# Dependencies come from dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS) plus adduser for the
# maintainer scripts (deploy/debian/*.in), which create the airfleet user and directories and
# enable, but do not start, the service. The architecture is not written down here: CPack asks
# `dpkg --print-architecture`, and a cross build sets CPACK_DEBIAN_PACKAGE_ARCHITECTURE from its
# toolchain (below), so the same file makes the arm64 packages.

include(GNUInstallDirs)

install(TARGETS airfleet-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent)
install(FILES deploy/systemd/airfleet-agent.service DESTINATION lib/systemd/system
        COMPONENT agent)
install(FILES deploy/agent/agent.yaml DESTINATION /etc/airfleet COMPONENT agent
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES README.md deploy/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/airfleet-agent COMPONENT agent)

# The Pi build (AIRFLEET_AGENT_ONLY) has no collector: it packages the agent alone.
set(airfleet_components agent)
if(NOT AIRFLEET_AGENT_ONLY)
  list(APPEND airfleet_components collector)
  install(TARGETS airfleet-collector airfleetctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
          COMPONENT collector)
  install(FILES deploy/systemd/airfleet-collector.service DESTINATION lib/systemd/system
          COMPONENT collector)
  install(FILES README.md deploy/debian/copyright
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/airfleet-collector
          COMPONENT collector)
  set(airfleet_collector_conffiles "")
  # The collector's example configuration (maintained with collector/config/).
  if(EXISTS ${PROJECT_SOURCE_DIR}/deploy/collector/collector.yaml)
    install(FILES deploy/collector/collector.yaml DESTINATION /etc/airfleet COMPONENT collector
            PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
    set(airfleet_collector_conffiles /etc/airfleet/collector.yaml)
  endif()
endif()

# Maintainer scripts and conffiles lists, one set per package.
function(airfleet_debian_scripts component pkg service conffiles state)
  set(dir ${PROJECT_BINARY_DIR}/debian/${component})
  set(PKG ${pkg})
  set(SERVICE ${service})
  set(CONFFILES "${conffiles}")
  set(STATE ${state})
  foreach(script postinst prerm postrm)
    configure_file(${PROJECT_SOURCE_DIR}/deploy/debian/${script}.in ${dir}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  set(extra ${dir}/postinst ${dir}/prerm ${dir}/postrm)
  if(conffiles)
    string(REPLACE " " "\n" lines "${conffiles}")
    file(WRITE ${dir}/conffiles "${lines}\n")
    list(APPEND extra ${dir}/conffiles)
  endif()
  string(TOUPPER ${component} upper)
  set(CPACK_DEBIAN_${upper}_PACKAGE_CONTROL_EXTRA "${extra}" PARENT_SCOPE)
endfunction()
airfleet_debian_scripts(agent airfleet-agent airfleet-agent.service /etc/airfleet/agent.yaml
                        "/var/lib/airfleet/spool /var/lib/airfleet/rings")
if(NOT AIRFLEET_AGENT_ONLY)
  airfleet_debian_scripts(collector airfleet-collector airfleet-collector.service
                          "${airfleet_collector_conffiles}" /var/lib/airfleet/collector)
endif()

set(CPACK_PACKAGE_NAME airfleet)
set(CPACK_PACKAGE_VENDOR airfleet)
set(CPACK_PACKAGE_CONTACT "airfleet maintainers <airfleet@example.net>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL ${airfleet_components})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Stripped: the agent goes to small SD cards; debug builds come from the build tree.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME airfleet-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "iw")
set(CPACK_COMPONENT_AGENT_DESCRIPTION
    "airfleet Wi-Fi sensing agent\nCaptures 802.11 frames on a monitor-mode interface, summarises devices\nper time window, spools durably and streams to an airfleet collector\nover mutual TLS.")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME airfleet-collector)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_RECOMMENDS "ieee-data")
set(CPACK_COMPONENT_COLLECTOR_DESCRIPTION
    "airfleet collector and airfleetctl\nReceives agent batches over mutual TLS gRPC, stores them in an embedded\nstore and feeds external sinks; airfleetctl administers the fleet.")
if(CMAKE_CROSSCOMPILING)
  # dpkg-shlibdeps asks the build machine's dpkg database, which knows no arm64 packages (the
  # sysroot is private): tools/scripts/arm64.sh derives the Depends from the sysroot packages'
  # shlibs files and passes them in AIRFLEET_DEB_SHLIB_DEPENDS.
  if(DEFINED AIRFLEET_DEB_SHLIB_DEPENDS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
    set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser, ${AIRFLEET_DEB_SHLIB_DEPENDS}")
  endif()
  # dpkg --print-architecture would name the build machine; name the target instead.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^armv?7")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE armhf)
  endif()
endif()
include(CPack)
