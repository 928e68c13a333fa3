# Static delivery helpers: ETags, HTTP dates, preconditions, byte ranges.
list(APPEND SONORA_HTTP_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/etag.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/http_date.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/conditional.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/byte_ranges.cpp)
