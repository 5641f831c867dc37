# liseur_add_plugin(ID SOURCES ... [LIBS ...] [DIR dir] [NO_INSTALL])
#
# Builds plugin ID as a MODULE library named ID.so with hidden visibility, and puts it with its
# manifest.json (from the calling folder) in DIR/ID/ (default: the build tree's plugin dir,
# ${PROJECT_BINARY_DIR}/lib/liseur/plugins, which liseur finds when run from the build tree).
# Installed into ${LISEUR_PLUGINDIR}/ID/ unless NO_INSTALL.
include_guard(GLOBAL)

function(liseur_add_plugin id)
  cmake_parse_arguments(P "NO_INSTALL" "DIR;MANIFEST" "SOURCES;LIBS" ${ARGN})
  if(NOT P_DIR)
    # Computed here, not at include time: include_guard() makes variables set beside it visible
    # only in the first folder that included this file.
    set(P_DIR ${PROJECT_BINARY_DIR}/lib/liseur/plugins)
  endif()
  if(NOT P_MANIFEST)
    set(P_MANIFEST ${CMAKE_CURRENT_SOURCE_DIR}/manifest.json)
  endif()
  set(target liseur_plugin_${id})
  string(REPLACE "-" "_" target ${target})
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE liseur_plugin_sdk ${P_LIBS})
  # Every symbol resolved at link time, so a plugin missing one fails its build, not its load;
  # except under a sanitizer (dev.sh asan), whose runtime the loading program provides.
  if(NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize=")
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME ${id}
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${P_DIR}/${id})
  # The manifest sits beside the library, copied at build time so edits are picked up.
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${P_MANIFEST} ${P_DIR}/${id}/manifest.json
    VERBATIM)
  set_property(GLOBAL APPEND PROPERTY LISEUR_PLUGIN_TARGETS ${target})
  if(NOT P_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION ${LISEUR_PLUGINDIR}/${id})
    install(FILES ${P_MANIFEST} DESTINATION ${LISEUR_PLUGINDIR}/${id} RENAME manifest.json)
  endif()
endfunction()
