# Sources of the sans-I/O HTTP/1.x core (library sonora_http), included by CMakeLists.txt.
list(APPEND SONORA_HTTP_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/body_framing.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/chunked_decoder.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/chunked_encoder.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/date_cache.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/header_id.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/header_table.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/method.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/reason_phrase.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/request_checks.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/request_line.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/request_parser.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/response_writer.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/uri.cpp
)
