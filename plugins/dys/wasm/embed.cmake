# cmake -DIN=syllables.wasm -DOUT=syllables_wasm_data.cpp -P embed.cmake: the module's bytes as a
# C++ array (liseur_syllables_wasm, liseur_syllables_wasm_size) for the dys plugin to put in pages.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "/* Generated from ${IN} by embed.cmake. */\n"
  "extern \"C\" const unsigned char liseur_syllables_wasm[] = {\n${bytes}};\n"
  "extern \"C\" const unsigned long liseur_syllables_wasm_size = ${size};\n")
