from dulun.cli import main

main()
