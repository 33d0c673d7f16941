# sipline_layer(NAME SOURCES... DEPS ...): one static library per layer folder.
# Include paths: a layer sees only its own folder's parent (src/) through its dependencies'
# interface, so "#include "msg/message.hpp"" compiles only where sipline_msg is linked.
function(sipline_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(sipline_${name} STATIC ${L_SOURCES})
  target_link_libraries(sipline_${name} PUBLIC ${L_DEPS} ${L_PUBLIC_DEPS})
  # Each layer exposes its headers as "<layer>/x.hpp" via a per-layer include root.
  set(root ${CMAKE_BINARY_DIR}/include-layers/${name})
  string(REPLACE "_" "/" rel ${name})
  get_filename_component(parent ${rel} DIRECTORY)
  file(MAKE_DIRECTORY ${root}/${parent})
  if(NOT EXISTS ${root}/${rel})
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${root}/${rel} SYMBOLIC)
  endif()
  target_include_directories(sipline_${name} PUBLIC ${root})
endfunction()
