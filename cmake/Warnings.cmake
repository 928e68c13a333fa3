# Warnings are errors in CI (SONORA_WERROR defaults ON); applied per target via sonora_warnings().
function(sonora_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
    -Wformat=2)
  if(SONORA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
