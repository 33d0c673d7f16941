# The fake Transport for state-machine unit tests (owner: txn). Included by CMakeLists.txt here.
add_library(sipline_fake_transport STATIC ${CMAKE_CURRENT_LIST_DIR}/fake_transport.cpp)
target_link_libraries(sipline_fake_transport PUBLIC sipline_transport sipline_msg sipline_base)
target_include_directories(sipline_fake_transport PUBLIC ${CMAKE_SOURCE_DIR}/tests)
