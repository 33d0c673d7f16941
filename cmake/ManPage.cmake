# cmake -DSIPLINE=<binary> -DOUT=<sipline.1> -DVERSION=<v> -P ManPage.cmake
# sipline.1 from the command's own help (CLI11): `sipline --help` and `sipline help CMD` for
# each command, so the man page cannot drift from the program. (help2man is not needed.)
function(roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${SIPLINE} --help OUTPUT_VARIABLE main_help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SIPLINE} --help failed: ${rc}")
endif()
# The command names: the lines under "Subcommands:" (CLI11 2.x; "SUBCOMMANDS:" in 1.x).
string(REGEX REPLACE ".*[Ss][Uu][Bb][Cc][Oo][Mm][Mm][Aa][Nn][Dd][Ss]:\n" "" sub_block
  "${main_help}")
if(sub_block STREQUAL main_help)
  message(FATAL_ERROR "no command list in `sipline --help`:\n${main_help}")
endif()
string(REGEX MATCHALL "\n  [a-z]+ " names "\n${sub_block}")
set(commands "")
foreach(n ${names})
  string(STRIP "${n}" n)
  if(n MATCHES "^[a-z]+$")
    list(APPEND commands ${n})
  endif()
endforeach()

string(TIMESTAMP today "%Y-%m-%d" UTC)
roff_escape("${main_help}" main_text)
set(page ".TH SIPLINE 1 \"${today}\" \"sipline ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\nsipline \\- a SIP user agent that keeps accounts registered\n")
string(APPEND page ".SH SYNOPSIS\n.B sipline\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n")
string(APPEND page ".SH DESCRIPTION\n.nf\n${main_text}.fi\n.SH COMMANDS\n")
foreach(cmd ${commands})
  execute_process(COMMAND ${SIPLINE} help ${cmd} OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    roff_escape("${help}" text)
    string(APPEND page ".SS ${cmd}\n.nf\n${text}.fi\n")
  endif()
endforeach()
string(APPEND page ".SH SIGNALS\nSIGHUP re-reads the config; SIGTERM and SIGINT unregister every "
  "account (bounded) and exit.\n")
string(APPEND page ".SH FILES\n/etc/sipline/sipline.toml (the packaged unit's config), "
  "state_dir (default /var/lib/sipline).\n")
string(APPEND page ".SH SEE ALSO\nsystemd.service(5); docs/config.md and docs/cli.md in the "
  "sources.\n")
file(WRITE ${OUT} "${page}")
