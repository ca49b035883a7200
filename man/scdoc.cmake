# Builds one man page: cmake -DSCDOC=... -DIN=page.scd -DOUT=page -P scdoc.cmake
# A line "%include FILE" (FILE next to IN) is replaced by FILE's text, so options that
# several commands share are written once.
file(READ ${IN} text)
get_filename_component(dir ${IN} DIRECTORY)
string(REGEX MATCHALL "%include [^\n]+" incs "${text}")
foreach(inc ${incs})
  string(REPLACE "%include " "" name "${inc}")
  file(READ ${dir}/${name} part)
  string(REPLACE "${inc}\n" "${part}" text "${text}")
endforeach()
file(WRITE ${OUT}.scd "${text}")
execute_process(COMMAND ${SCDOC} INPUT_FILE ${OUT}.scd OUTPUT_FILE ${OUT} RESULT_VARIABLE rc
  ERROR_VARIABLE err)
file(REMOVE ${OUT}.scd)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT})
  message(FATAL_ERROR "scdoc ${IN}: ${err}")
endif()
