from ideas.cli import main

main()
