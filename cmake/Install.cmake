# `cmake --install`: the sipline command, and for embedders the public headers, one static
# library libsipline.a (the engine and every internal layer it links, merged), a CMake package
# (find_package(sipline) -> sipline::sipline) and a pkg-config file (sipline.pc).
# One merged archive rather than the layers' own archives: the layers are an internal seam
# (their headers are not installed), and embedders link one name in either build system.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Every sipline_* static library `sipline` reaches, found from the link graph, so a layer the
# engine starts to use (subscriptions, calls) is merged in without editing this file.
function(sipline_layer_closure target out)
  set(seen "")
  set(todo ${target})
  while(todo)
    list(POP_FRONT todo t)
    if(NOT TARGET ${t} OR t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${t})
    get_target_property(deps ${t} LINK_LIBRARIES)
    foreach(d ${deps})
      if(d MATCHES "^sipline_")
        list(APPEND todo ${d})
      endif()
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

sipline_layer_closure(sipline merged_targets)
set(merged_lib ${CMAKE_BINARY_DIR}/embed/libsipline.a)
set(mri "create ${merged_lib}\n")
foreach(t ${merged_targets})
  string(APPEND mri "addlib $<TARGET_FILE:${t}>\n")
endforeach()
string(APPEND mri "save\nend\n")
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/embed/merge.mri CONTENT "${mri}")
add_custom_command(OUTPUT ${merged_lib}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${merged_lib}
  COMMAND ${CMAKE_AR} -M < ${CMAKE_BINARY_DIR}/embed/merge.mri
  DEPENDS ${merged_targets} ${CMAKE_BINARY_DIR}/embed/merge.mri
  COMMENT "Merging the engine and its layers into libsipline.a")
add_custom_target(sipline_embed ALL DEPENDS ${merged_lib})

install(FILES ${merged_lib} DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/sipline DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)

# The compile definitions the library was built with that its public header's Asio needs too.
set(SIPLINE_PUBLIC_DEFINITIONS ASIO_STANDALONE ASIO_NO_DEPRECATED ASIO_DISABLE_STD_ALIGNED_ALLOC)
set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/sipline)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/sipline-config.cmake.in
  ${CMAKE_BINARY_DIR}/embed/sipline-config.cmake INSTALL_DESTINATION ${cmake_dir}
  PATH_VARS CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/embed/sipline-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/embed/sipline-config.cmake
  ${CMAKE_BINARY_DIR}/embed/sipline-config-version.cmake DESTINATION ${cmake_dir} COMPONENT dev)

list(TRANSFORM SIPLINE_PUBLIC_DEFINITIONS PREPEND "-D" OUTPUT_VARIABLE pc_defs)
list(JOIN pc_defs " " SIPLINE_PC_CFLAGS)
file(RELATIVE_PATH SIPLINE_PC_UP /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(${CMAKE_SOURCE_DIR}/cmake/sipline.pc.in ${CMAKE_BINARY_DIR}/embed/sipline.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/embed/sipline.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
