# Event-body parsers and views (owner: bodies): RFC example bodies plus broken ones.
if(TARGET sipline_usage_sub_bodies)
  sipline_test(sub_bodies_test
    SOURCES sub_bodies_mwi_test.cpp sub_bodies_dialog_test.cpp sub_bodies_reginfo_test.cpp
    DEPS sipline_usage_sub_bodies)
endif()
