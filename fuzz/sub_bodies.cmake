# libFuzzer targets for the event-body parsers (owner: bodies). Seed corpora: fuzz/corpus/mwi,
# fuzz/corpus/dialog_info, fuzz/corpus/reginfo. run.sh gives them a third of the per-target time.
foreach(body mwi dialog_info reginfo)
  sipline_fuzz_target(fuzz_${body} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${body}.cpp
    sipline_usage_sub_bodies)
endforeach()
