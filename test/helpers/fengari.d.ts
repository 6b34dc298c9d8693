/** fengari (Lua 5.3 in JavaScript) ships no type declarations; these cover what luaHealth.ts calls. */
declare module 'fengari' {
  type LuaState = { readonly __brand: 'lua_State' };
  export function to_luastring(text: string): Uint8Array;
  export const lua: {
    readonly LUA_OK: number;
    readonly LUA_TTABLE: number;
    lua_newtable(L: LuaState): void;
    lua_pushstring(L: LuaState, text: Uint8Array): void;
    lua_pushnumber(L: LuaState, value: number): void;
    lua_pushboolean(L: LuaState, value: boolean): void;
    lua_pushnil(L: LuaState): void;
    lua_setfield(L: LuaState, index: number, key: Uint8Array): void;
    lua_rawseti(L: LuaState, index: number, key: number): void;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_getfield(L: LuaState, index: number, key: Uint8Array): number;
    lua_pcall(L: LuaState, nargs: number, nresults: number, errfunc: number): number;
    lua_type(L: LuaState, index: number): number;
    lua_tojsstring(L: LuaState, index: number): string | null;
    lua_pop(L: LuaState, count: number): void;
  };
  export const lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadstring(L: LuaState, source: Uint8Array): number;
  };
  export const lualib: { luaL_openlibs(L: LuaState): void };
}
