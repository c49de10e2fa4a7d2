"""letan speech: Vietnamese voice in (Vosk) and out (pyttsx3), as a pipeline of stages and events."""
